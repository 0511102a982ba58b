#!/usr/bin/env bash
# Starts (or stops) the benchmark workload: GROUPS groups of PROCS memload processes told apart by
# BENCH_GROUP; each group maps a file shared by every group, a file of its own, anonymous memory
# shared copy-on-write, and private memory per process. start-sparse starts bench/sparse.c instead:
# PROCS processes with a large address space and little of it resident (see there).
#   bench/workload.sh start [GROUPS] [PROCS]   -> prints the pids, one line
#   bench/workload.sh start-sparse PROCS RESERVE_GIB MAP_GIB TOUCH_MIB   -> likewise
#   bench/workload.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${BENCH_STATE:-/tmp/linux-mem-bench}
# the state folder (in /tmp, written and read as root) must be one this user made: not a link, nobody else writes
ours() {
  local owner mode kind
  read -r owner mode kind < <(stat -c '%u %a %F' -- "$state" 2>/dev/null) || return 1
  [ "$kind" = directory ] && [ "$owner" = "$(id -u)" ] && (( (8#$mode & 8#022) == 0 )) && return 0
  echo "refusing $state: a $kind of uid $owner, mode $mode, not a folder of this user's own" >&2
  exit 1
}
# hold: the fifo every workload process reads, kept open by a writer; the processes hold until it is gone
hold() {
  if ours; then echo "workload already running ($state); bench/workload.sh stop first" >&2; exit 1; fi
  mkdir -p "$here/.build"
  mkdir -m 700 -- "$state"
  mkfifo "$state/hold"
  nohup sleep 86400 >"$state/hold" 2>/dev/null &
  echo $! >"$state/holder.pid"
}
# ready N: waits for N "READY pid..." lines, prints the pids on one line
ready() {
  for _ in $(seq 600); do
    [ "$(cat "$state"/ready-* | grep -c '^READY')" -eq "$1" ] && break
    sleep 0.2
  done
  [ "$(cat "$state"/ready-* | grep -c '^READY')" -eq "$1" ] || { echo "workload did not start" >&2; cat "$state"/ready-* >&2; "$0" stop; exit 1; }
  cat "$state"/ready-* | sed 's/^READY //' | tr '\n' ' ' | sed 's/ *$//'
  echo
}
case "${1:-}" in
start)
  groups=${2:-10} procs=${3:-50}
  hold
  gcc -O2 -o "$here/.build/memload" "$here/../tests/support/memload.c"
  for g in $(seq 1 "$groups"); do
    BENCH_GROUP=g$g setsid "$here/.build/memload" "file:/dev/shm/linux-mem-bench-common:128" \
      "file:/dev/shm/linux-mem-bench-g$g:64" anon:200 "fork:$((procs - 1))" anon:4 \
      <"$state/hold" >"$state/ready-$g" 2>&1 &
  done
  ready "$groups"
  ;;
start-sparse)
  [ $# -eq 5 ] || { echo "usage: $0 start-sparse PROCS RESERVE_GIB MAP_GIB TOUCH_MIB" >&2; exit 2; }
  hold
  gcc -O2 -o "$here/.build/sparse" "$here/sparse.c"
  BENCH_GROUP=sparse setsid "$here/.build/sparse" "$2" "$3" "$4" "$5" <"$state/hold" >"$state/ready-1" 2>&1 &
  ready 1
  ;;
stop)
  # pids are read from the state folder: only from one of ours
  if ours; then
    [ -f "$state/holder.pid" ] && kill "$(cat "$state/holder.pid")" 2>/dev/null || true
    # the processes go when the fifo closes; any still there after 10 s are ended by the pids they reported
    started=$(cat "$state"/ready-* 2>/dev/null | sed -n 's/^READY //p' | tr '\n' ' ')
    for _ in $(seq 100); do
      alive=; for p in $started; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break; sleep 0.1
    done
    [ -n "${alive:-}" ] && kill $alive 2>/dev/null || true
  fi
  rm -rf -- "$state" /dev/shm/linux-mem-bench-*
  ;;
*) echo "usage: $0 start [GROUPS] [PROCS] | start-sparse PROCS RESERVE_GIB MAP_GIB TOUCH_MIB | stop" >&2; exit 2 ;;
esac
