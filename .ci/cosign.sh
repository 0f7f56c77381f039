#!/usr/bin/env bash
# cosign for the signing test: no download from GitHub here, so it is built from the Go module proxy, once, into a
# folder the machine keeps between runs (about 4 minutes); a missing one is built, never skipped. Prints its path.
set -euo pipefail
VERSION=v2.6.1
CACHE=${GO_SLIM_COSIGN_CACHE:-/var/cache/go-slim-image/cosign-$VERSION}
if [ ! -x "$CACHE/cosign" ]; then
  mkdir -p "$CACHE"
  # The machine's GOFLAGS=-buildvcs=false is kept: the module cache holds no .git.
  CGO_ENABLED=0 GOBIN="$CACHE" go install -trimpath "github.com/sigstore/cosign/v2/cmd/cosign@$VERSION" >&2
fi
echo "$CACHE/cosign"
