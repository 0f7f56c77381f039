#!/usr/bin/env bash
# Starts the Docker engines the tests use, apart from any engine already running (a contributor's, or the
# machine's): GitHub's two image stores, each with its own data root, exec root, pidfile, socket and config.
#   containerd  the containerd image store (ubuntu-26.04's Docker 29 default): multi-platform, OCI export.
#               Host network, its own bridge, no iptables rules, so it reaches the loopback registry the tests
#               start and never touches the first engine's docker0 or chains.
#   classic     the classic store of ubuntu-24.04's Docker 28, in a network namespace of its own (entered with
#               nsenter: `ip netns exec` remounts /sys and hides the cgroups), so its docker0 is its own.
# Idempotent: an engine that answers on its socket is left as it is. Needs root.
#   start [--for-tests RUN]  prints `export DOCKER_HOST_CONTAINERD=… DOCKER_HOST_CLASSIC=…`; with --for-tests, an
#                            engine started now is marked as test run RUN's
#   stop [--if-tests-started RUN]  ends the two by their pidfiles, removes their data, bridge and namespace (their
#                            logs are kept in /tmp/go-slim-image-test-logs); with
#                            --if-tests-started, only when test run RUN started them (another run's stay)
set -euo pipefail
STATE=${GO_SLIM_TEST_DOCKER:-/var/lib/go-slim-image-test}
RUN=/run/go-slim-image-test

# shellcheck source=.ci/pidfiles.sh
source "$(dirname "$0")/pidfiles.sh"

socket() { echo "unix://$RUN/$1.sock"; }
answers() { DOCKER_HOST=$(socket "$1") docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

stop_one() {
  local pidfile="$RUN/$1/docker.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  # A pid file whose dockerd is gone names nobody of ours.
  pid=$(runs_as dockerd "$pidfile") || { rm -f "$pidfile"; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$pidfile"
}

start_one() {
  local name=$1 config=$2; shift 2
  answers "$name" && return 0
  [ -n "$FOR_TESTS" ] && echo "$FOR_TESTS" >"$RUN/started-by-tests"
  mkdir -p "$STATE/$name" "$RUN/$name"
  drop_stale dockerd "$RUN/$name/docker.pid"
  drop_stale containerd "$RUN/$name/exec/containerd/containerd.pid"
  echo "$config" >"$RUN/$name/daemon.json"
  "$@" dockerd \
    --config-file "$RUN/$name/daemon.json" \
    --data-root "$STATE/$name/data" \
    --exec-root "$RUN/$name/exec" \
    --pidfile "$RUN/$name/docker.pid" \
    -H "$(socket "$name")" \
    >"$STATE/$name/dockerd.log" 2>&1 &
}

bridge_up() {
  ip link show gsi-test0 >/dev/null 2>&1 && return 0
  ip link add gsi-test0 type bridge
  ip addr add 172.30.254.1/24 dev gsi-test0
  ip link set gsi-test0 up
}

netns_up() {
  ip netns list | grep -qw gsi-classic || ip netns add gsi-classic
  nsenter --net=/var/run/netns/gsi-classic ip link set lo up
}

wait_for() {
  for _ in $(seq 1 60); do answers "$1" && return 0; sleep 1; done
  tail -30 "$STATE/$1/dockerd.log" >&2
  echo "the $1 test engine did not start (log: $STATE/$1/dockerd.log)" >&2
  exit 1
}

FOR_TESTS=
[ "${2:-}" = --for-tests ] && FOR_TESTS=${3:?--for-tests needs the test run id}

if [ "${1:-start}" = stop ]; then
  if [ "${2:-}" = --if-tests-started ] && [ "$(cat "$RUN/started-by-tests" 2>/dev/null)" != "${3:?--if-tests-started needs the test run id}" ]; then
    exit 0
  fi
  stop_one containerd
  stop_one classic
  # Each engine's log outlives its data: an engine fault behind a failed test is read there afterwards.
  mkdir -p /tmp/go-slim-image-test-logs
  for name in containerd classic; do cp "$STATE/$name/dockerd.log" "/tmp/go-slim-image-test-logs/$name.log" 2>/dev/null || true; done
  rm -f "$RUN/started-by-tests"
  ip link del gsi-test0 2>/dev/null || true
  ip netns del gsi-classic 2>/dev/null || true
  # Each dockerd mounts its data root onto itself and leaves that mount behind when it stops.
  findmnt -rn -o TARGET | grep "^$STATE/" | sort -r | while read -r target; do umount "$target" 2>/dev/null || true; done
  rm -rf "$STATE" 2>/dev/null || echo "could not remove all of $STATE" >&2
  exit 0
fi

if [ "${1:-start}" = start ] && answers containerd && answers classic; then
  echo "export DOCKER_HOST_CONTAINERD=$(socket containerd) DOCKER_HOST_CLASSIC=$(socket classic)"
  exit 0
fi
mkdir -p "$STATE" "$RUN"
bridge_up
netns_up
start_one containerd '{"features":{"containerd-snapshotter":true},"bridge":"gsi-test0","iptables":false,"ip6tables":false}'
start_one classic '{}' nsenter --net=/var/run/netns/gsi-classic
wait_for containerd
wait_for classic
echo "export DOCKER_HOST_CONTAINERD=$(socket containerd) DOCKER_HOST_CLASSIC=$(socket classic)"
