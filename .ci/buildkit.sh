#!/usr/bin/env bash
# BuildKit for the builders users set up besides the docker driver: a docker-container builder (what
# docker/setup-buildx-action creates) and a remote one (buildx's remote driver on a buildkitd of the tests' own).
# No image can be pulled here, so buildkitd and buildctl are built from the Go module proxy (go install refuses
# BuildKit's go.mod, hence a writable copy of the module's source and -mod=mod), once, into a folder the machine
# keeps between runs; a missing one is built, never skipped.
#   bin                 prints the folder holding buildkitd and buildctl (built when missing)
#   image DOCKER_HOST   loads the builder image into that engine (FROM scratch: BuildKit, Debian's runc and the
#                       libraries runc links), and prints its name
# Needs root (the cache folder; the image build talks to the engine).
set -euo pipefail
VERSION=v0.26.2
CACHE=${GO_SLIM_BUILDKIT_CACHE:-/var/cache/go-slim-image/buildkit-$VERSION}
IMAGE=go-slim-image-test/buildkit:$VERSION

build_binaries() {
  [ -x "$CACHE/bin/buildkitd" ] && [ -x "$CACHE/bin/buildctl" ] && return 0
  local dir work
  dir=$(go mod download -json "github.com/moby/buildkit@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "go mod download gave no source folder for github.com/moby/buildkit@$VERSION" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cp -r "$dir/." "$work"
  chmod -R u+w "$work"
  mkdir -p "$CACHE"
  # Static, so the scratch image needs nothing for them; the machine's -buildvcs=false is kept (no .git here).
  (cd "$work" && CGO_ENABLED=0 GOFLAGS='-mod=mod -buildvcs=false' go build -trimpath -o "$work/out/" ./cmd/buildkitd ./cmd/buildctl)
  rm -rf "$CACHE/bin"
  mv "$work/out" "$CACHE/bin"
}

load_image() {
  export DOCKER_HOST=$1
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "$IMAGE"
    return 0
  fi
  local runc context
  runc=$(command -v runc) || { echo "runc is not installed (apt-get install runc)" >&2; exit 1; }
  context=$(mktemp -d)
  trap 'rm -rf "$context"' RETURN
  mkdir -p "$context/usr/bin" "$context/tmp" "$context/run" "$context/var/lib/buildkit"
  cp "$CACHE/bin/buildkitd" "$CACHE/bin/buildctl" "$runc" "$context/usr/bin/"
  # runc is dynamically linked: its libraries and loader go where ldd found them.
  ldd "$runc" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$context$(dirname "$lib")"
    cp -L "$lib" "$context$lib"
  done
  cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY . /
ENV PATH=/usr/bin
ENTRYPOINT ["/usr/bin/buildkitd"]
DOCKERFILE
  docker build -q -t "$IMAGE" "$context" >/dev/null
  echo "$IMAGE"
}

case "${1:-}" in
  bin)
    build_binaries
    echo "$CACHE/bin"
    ;;
  image)
    [ -n "${2:-}" ] || { echo "usage: $0 image DOCKER_HOST" >&2; exit 2; }
    build_binaries
    load_image "$2"
    ;;
  *)
    echo "usage: $0 bin | image DOCKER_HOST" >&2
    exit 2
    ;;
esac
