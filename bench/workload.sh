#!/usr/bin/env bash
# Starts (or stops) the benchmark workload: GROUPS groups of PROCS memload processes told apart by
# BENCH_GROUP; each group maps a file shared by every group, a file of its own, anonymous memory
# shared copy-on-write, and private memory per process.
#   bench/workload.sh start [GROUPS] [PROCS]   -> prints the pids, one line
#   bench/workload.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${BENCH_STATE:-/tmp/linux-mem-bench}
case "${1:-}" in
start)
  groups=${2:-10} procs=${3:-50}
  [ -e "$state/hold" ] && { echo "workload already running ($state); bench/workload.sh stop first" >&2; exit 1; }
  mkdir -p "$here/.build" "$state"
  gcc -O2 -o "$here/.build/memload" "$here/../tests/support/memload.c"
  mkfifo "$state/hold"
  # a writer that keeps the fifo open: memload processes hold until it is gone
  nohup sleep 86400 >"$state/hold" 2>/dev/null &
  echo $! >"$state/holder.pid"
  for g in $(seq 1 "$groups"); do
    BENCH_GROUP=g$g setsid "$here/.build/memload" "file:/dev/shm/linux-mem-bench-common:128" \
      "file:/dev/shm/linux-mem-bench-g$g:64" anon:200 "fork:$((procs - 1))" anon:4 \
      <"$state/hold" >"$state/ready-$g" 2>&1 &
  done
  for _ in $(seq 300); do
    [ "$(cat "$state"/ready-* | grep -c '^READY')" -eq "$groups" ] && break
    sleep 0.2
  done
  [ "$(cat "$state"/ready-* | grep -c '^READY')" -eq "$groups" ] || { echo "workload did not start" >&2; cat "$state"/ready-* >&2; "$0" stop; exit 1; }
  cat "$state"/ready-* | sed 's/^READY //' | tr '\n' ' ' | sed 's/ *$//'
  echo
  ;;
stop)
  [ -f "$state/holder.pid" ] && kill "$(cat "$state/holder.pid")" 2>/dev/null || true
  for _ in $(seq 100); do pgrep -f "$here/.build/memload" >/dev/null || break; sleep 0.1; done
  pkill -f "$here/.build/memload" 2>/dev/null || true
  rm -rf "$state" /dev/shm/linux-mem-bench-*
  ;;
*) echo "usage: $0 start [GROUPS] [PROCS] | stop" >&2; exit 2 ;;
esac
