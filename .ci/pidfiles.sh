# Sourced by the machine scripts. A pid file outlives its process when the process is killed, or when the machine
# is restored from a snapshot whose /run kept it; its PID may then belong to any other process. dockerd refuses to
# start while that PID lives ("process with PID N is still running"), and a script that ends "its" engine by that
# PID would end a stranger. So a pid file is believed only when it names a running process of the expected name.

# runs_as NAME PIDFILE: prints the PID when PIDFILE names a running process called NAME.
runs_as() {
  local pid
  pid=$(cat "$2" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
  echo "$pid"
}

# drop_stale NAME PIDFILE: removes PIDFILE unless it names a running NAME.
drop_stale() {
  [ -e "$2" ] || return 0
  runs_as "$1" "$2" >/dev/null || rm -f "$2"
}
