#!/usr/bin/env bash
# bench-idle-pair.sh BIN_A BIN_B ENGINE: the CPU two idle `waybill serve` spend side by side (A from
# BIN_A, B from BIN_B, each on a database of its own: a SQLite file, or a PostgreSQL schema of
# $WAYBILL_BENCH_POSTGRES_URL), started together and measured over the same IDLE_SECONDS (default 15)
# after IDLE_SETTLE seconds (default 5): the server's user + system ticks (/proc/PID/stat) and, on
# PostgreSQL, those of its own backends (matched by client port, as bench-get-pair.sh does). What an
# idle server spends is its polling loops (claim loops, River's fetches), paid by every request of a
# loaded one too. Ports: BENCH_PORT (default 21500) to BENCH_PORT+11.
# Prints per server: ticks over the window (CLK_TCK per second) and the share of a core; load average.
set -euo pipefail
binA=$1; binB=$2; engine=$3
key=wb_bench_idle_0123456789abcdef
pg=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
portA=${BENCH_PORT:-21500}; portB=$((portA + 10))
secs=${IDLE_SECONDS:-15}; settle=${IDLE_SETTLE:-5}
d=$(mktemp -d)
declare -A pid schema
start() { # name bin port
  local n=$1 bin=$2 port=$3 db
  if [[ $engine == sqlite ]]; then mkdir -p "$d/$n"; db="sqlite:$d/$n/waybill.db"; else schema[$n]=wbidle_${n}_$$_$RANDOM; psql -q "$pg" -c "CREATE SCHEMA ${schema[$n]}"; db="$pg&search_path=${schema[$n]}"; fi
  WAYBILL_ADDR=127.0.0.1:$port WAYBILL_DATABASE_URL="$db" WAYBILL_PPROF_ADDR=127.0.0.1:$((port+1)) WAYBILL_BOOTSTRAP_API_KEY=$key \
    WAYBILL_LOG_LEVEL=warn "$bin" serve 2>>$d/serve-$n.log &
  pid[$n]=$!
}
cleanup() { for n in A B; do kill ${pid[$n]} 2>/dev/null || true; wait ${pid[$n]} 2>/dev/null || true; [[ -z ${schema[$n]:-} ]] || psql -q "$pg" -c "SET client_min_messages=warning; DROP SCHEMA ${schema[$n]} CASCADE"; done; rm -rf "$d"; }
trap cleanup EXIT
start A "$binA" $portA; start B "$binB" $portB
for port in $portA $portB; do for _ in $(seq 300); do curl -fs http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.2; done; done
# shellcheck source=scripts/lib/pair.sh
. "$(dirname "$0")/lib/pair.sh"
sleep "$settle"
declare -A s0 q0
l0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in A B; do s0[$n]=$(ticks $n); q0[$n]=$(pgticks $n); done
sleep "$secs"
hz=$(getconf CLK_TCK)
for n in A B; do
  s=$(( $(ticks $n) - ${s0[$n]} )); q=$(( $(pgticks $n) - ${q0[$n]} ))
  awk -v n=$n -v s=$s -v q=$q -v hz=$hz -v secs=$secs 'BEGIN{printf "%s: server %d ticks (%.1f %% of a core), PostgreSQL backends %d ticks (%.1f %%); ", n, s, s/hz/secs*100, q, q/hz/secs*100}'
done
echo "over ${secs}s; load $l0 -> $(cut -d' ' -f1-3 /proc/loadavg)"
