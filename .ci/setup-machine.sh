#!/usr/bin/env bash
# Installs and starts what the integration tests need on a fresh Debian bookworm machine (run as root):
# Docker engine + buildx (from trixie, pinned low), UPX, Debian's registry, apache2-utils (htpasswd).
# Idempotent: a second run on the same machine only checks and starts what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
docker buildx version >/dev/null 2>&1 || need_apt+=(docker-buildx)
command -v upx >/dev/null 2>&1 || need_apt+=(upx-ucl)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)

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

mkdir -p /etc/docker
want='{"features":{"containerd-snapshotter":true}}'
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$want" ]; then
  echo "$want" >/etc/docker/daemon.json
  pkill dockerd 2>/dev/null || true
  sleep 2
fi

if ! docker info >/dev/null 2>&1; then
  # containerd is started by dockerd itself when none runs.
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -50 /var/log/dockerd.log; echo "dockerd did not start" >&2; exit 1; }
fi

docker version --format 'docker engine {{.Server.Version}}'
docker buildx version
upx --version | head -1
