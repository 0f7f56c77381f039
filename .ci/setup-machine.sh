#!/usr/bin/env bash
# Installs what the example and the tests need on a fresh Debian bookworm machine (run as root): Docker engine +
# buildx (from trixie, pinned low), UPX, Debian's registry, apache2-utils (htpasswd), iproute2, cmark-gfm, chromium, and from the Go
# module proxy the pinned runner emulator nektos/act and actionlint.
# Idempotent, and harmless on a workstation: a running Docker engine and its configuration are left alone; one is
# started only when none answers (for `npm run example`). The tests start engines of their own
# (.ci/test-daemons.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
docker buildx version >/dev/null 2>&1 || need_apt+=(docker-buildx)
command -v upx >/dev/null 2>&1 || need_apt+=(upx-ucl)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
# Files the image-files test adds to an image: the runner's MIME table and time-zone database.
[ -f /etc/mime.types ] || need_apt+=(media-types)
[ -d /usr/share/zoneinfo/Europe ] || need_apt+=(tzdata)
command -v nsenter >/dev/null 2>&1 || need_apt+=(util-linux)
# The OCI runtime of the tests' own BuildKit (.ci/buildkit.sh).
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
# GitHub's Markdown renderer: the tests render the comment with it to see what a planted value becomes.
command -v cmark-gfm >/dev/null 2>&1 || need_apt+=(cmark-gfm)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ ! -f /etc/apt/sources.list.d/trixie.sources ]; then
    cat >/etc/apt/sources.list.d/trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat >/etc/apt/preferences.d/trixie-low <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  fi
  apt-get update -qq
  apt-get install -y -qq -t trixie --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# The browser the tests draw the report's Mermaid chart in, headless: the machine's own release of it, not trixie's.
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# shellcheck source=.ci/pidfiles.sh
source "$(dirname "$0")/pidfiles.sh"
if ! docker info >/dev/null 2>&1 && runs_as dockerd /var/run/docker.pid >/dev/null; then
  # The machine's engine is still starting (its service was just installed, or the machine just booted).
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "a dockerd runs (PID $(cat /var/run/docker.pid)) but does not answer on /var/run/docker.sock: see its log, or stop it" >&2; exit 1; }
fi
if ! docker info >/dev/null 2>&1; then
  drop_stale dockerd /var/run/docker.pid
  drop_stale containerd /var/run/docker/containerd/containerd.pid
  # No engine runs: start one, on the machine's own configuration when it has one, else on the containerd
  # image store (multi-platform builds, exact OCI sizes). containerd is started by dockerd itself.
  config=()
  if [ ! -f /etc/docker/daemon.json ]; then
    mkdir -p /run/go-slim-image
    echo '{"features":{"containerd-snapshotter":true}}' >/run/go-slim-image/daemon.json
    config=(--config-file /run/go-slim-image/daemon.json)
  fi
  nohup dockerd "${config[@]}" >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -50 /var/log/dockerd.log; echo "dockerd did not start" >&2; exit 1; }
fi

ACT_VERSION=v0.2.89
ACTIONLINT_VERSION=v1.7.12
export GOBIN=/usr/local/bin
[ "$(act --version 2>/dev/null)" = "act version ${ACT_VERSION#v}" ] || go install "github.com/nektos/act@$ACT_VERSION"
[ "$(actionlint --version 2>/dev/null | head -1)" = "$ACTIONLINT_VERSION" ] || go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"

docker version --format 'docker engine {{.Server.Version}}'
docker buildx version
upx --version | head -1
act --version
echo "actionlint $(actionlint --version | head -1)"
