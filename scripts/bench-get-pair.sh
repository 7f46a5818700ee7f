#!/usr/bin/env bash
# bench-get-pair.sh BIN_A BIN_B ENGINE PRE_A PRE_B: the v4 get by id on two `waybill serve` side by
# side (A from BIN_A, B from BIN_B, each on a database of its own: a SQLite file, or a PostgreSQL
# schema of $WAYBILL_BENCH_POSTGRES_URL), loaded AT THE SAME TIME, so that both see the same machine:
# on a shared machine a figure taken a minute later is not comparable, two taken together are.
# PRE is what each server gets first: "none", "create" (a 10 s v4 create load, 32 workers: the state
# bench-api.sh's get row starts from) or "warm32" (a 3 s get load with 32 workers: a full pool of
# database connections). Then, for each, a pool-only run (1,000 trackings, one get), and a 12 s get
# load of 16 workers on each at once. Printed per server: its CPU per get (user + system from
# /proc/PID/stat), on PostgreSQL the CPU of its own backends (matched by client port), both net of
# the pool-only run; gets, req/s, errors. PROF=1 also writes 8 s CPU profiles (from second 4) to
# $BENCH_OUT/A.pprof and B.pprof. Ports: BENCH_PORT (default 21400) to BENCH_PORT+11.
# After the load, each server's collections during it (NumGC), heap in use and peak RSS (VmHWM)
# are printed too (runtime.MemStats from its pprof listener): what a GC setting (GOGC, GOMEMLIMIT
# in the environment of a wrapper given as BIN) trades for its CPU. A server that reads in shared
# batches (PostgreSQL, waybill_store_batched_reads_total in /metrics) also gets its reads per batch
# during the load.
# OP=create loads creates instead (the same 12 s, 16 workers each, at once; no pool-only run): CPU
# per create, counted until 2 s after the load, so that what a create leaves behind counts too.
# RATE=R sends R requests/s to each server (open loop) instead of as many as 16 workers can: both
# then do the same work, so a side that happened to get less of the machine does not pay its fixed
# costs (idle polls, commits of smaller batches) over fewer requests.
set -euo pipefail
op=${OP:-get}
binA=$1; binB=$2; engine=$3; preA=$4; preB=$5
key=wb_bench_pair_0123456789abcdef
pg=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
portA=${BENCH_PORT:-21400}; portB=$((portA + 10))
d=${BENCH_OUT:-$(mktemp -d)}; mkdir -p "$d"
declare -A pid schema
start() { # name bin port
  local n=$1 bin=$2 port=$3 db
  if [[ $engine == sqlite ]]; then db="sqlite:$d/$n/waybill.db"; else schema[$n]=wbpair_${n}_$$_$RANDOM; psql -q "$pg" -c "CREATE SCHEMA ${schema[$n]}"; db="$pg&search_path=${schema[$n]}"; fi
  WAYBILL_ADDR=127.0.0.1:$port WAYBILL_DATABASE_URL="$db" WAYBILL_PPROF_ADDR=127.0.0.1:$((port+1)) WAYBILL_BOOTSTRAP_API_KEY=$key \
    WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_RATE_LIMIT_V4=0 WAYBILL_LOG_LEVEL=warn "$bin" serve 2>>$d/serve-$n.log &
  pid[$n]=$!
  for _ in $(seq 300); do curl -fs http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.2; done
}
cleanup() { for n in A B; do kill ${pid[$n]} 2>/dev/null || true; wait ${pid[$n]} 2>/dev/null || true; [[ -z ${schema[$n]:-} ]] || psql -q "$pg" -c "SET client_min_messages=warning; DROP SCHEMA ${schema[$n]} CASCADE"; done; }
trap cleanup EXIT
start A "$binA" $portA; start B "$binB" $portB
# shellcheck source=scripts/lib/pair.sh
. "$(dirname "$0")/lib/pair.sh"
port() { [[ $1 == A ]] && echo $portA || echo $portB; }
memstat() { curl -fsS "http://127.0.0.1:$(( $(port $1)+1 ))/debug/pprof/heap?debug=1" | awk -v f="$2" '$2 == f { print $4 }'; }
hwm() { awk '$1 == "VmHWM:" { print $2 }' /proc/${pid[$1]}/status; }
batched() { curl -fsS "http://127.0.0.1:$(port $1)/metrics" | awk '$1 == "waybill_store_batched_reads_total" { r = $2 } $1 == "waybill_store_read_batches_total" { b = $2 } END { printf "%d %d", r, b }'; }
for n in A B; do
  pre=$preA; [[ $n == B ]] && pre=$preB
  if [[ $pre == warm32 ]]; then "$binB" bench aftership --url http://127.0.0.1:$(port $n) --key $key --op get --pool 32 --concurrency 32 --duration 3s --json | jq -c "{$n: .req_per_s}"; fi
  if [[ $pre == create ]]; then "$binB" bench aftership --url http://127.0.0.1:$(port $n) --key $key --op create --concurrency 32 --duration 10s --json | jq -c "{$n: .req_per_s}"; fi
done
sleep 3
declare -A p0 pq g0 g1 q0 q1
for n in A B; do
  p0[$n]=0; pq[$n]=0
  [[ $op == get ]] || continue
  p0[$n]=$(ticks $n); pq[$n]=$(pgticks $n)
  "$binB" bench aftership --url http://127.0.0.1:$(port $n) --key $key --op get --pool 1000 --requests 1 --concurrency 32 --duration 1m --json >/dev/null
  p0[$n]=$(( $(ticks $n) - ${p0[$n]} )); pq[$n]=$(( $(pgticks $n) - ${pq[$n]} ))
done
args=(--op get --pool 1000)
[[ $op == get ]] || args=(--op "$op")
[[ -z ${RATE:-} ]] || args+=(--rate "$RATE")
profs=()
[[ -z ${PROF:-} ]] || for n in A B; do ( sleep 4; curl -fsS -o $d/$n.pprof "http://127.0.0.1:$(( $(port $n)+1 ))/debug/pprof/profile?seconds=8" ) & profs+=($!); done
declare -A gc0 rb0
for n in A B; do q0[$n]=$(pgticks $n); g0[$n]=$(ticks $n); gc0[$n]=$(memstat $n NumGC); rb0[$n]=$(batched $n); done
"$binB" bench aftership --url http://127.0.0.1:$portA --key $key "${args[@]}" --concurrency 16 --duration 12s --json > $d/getA.json &
la=$!
"$binB" bench aftership --url http://127.0.0.1:$portB --key $key "${args[@]}" --concurrency 16 --duration 12s --json > $d/getB.json &
lb=$!
wait $la $lb
[[ $op == get ]] || sleep 2
declare -A mem
for n in A B; do g1[$n]=$(ticks $n); q1[$n]=$(pgticks $n)
  mem[$n]="$(( $(memstat $n NumGC) - ${gc0[$n]} )) GCs, heap $(( $(memstat $n HeapInuse) >> 20 )) MiB, peak RSS $(( $(hwm $n) >> 10 )) MiB"
  read -r r0 b0 <<<"${rb0[$n]}"; read -r r1 b1 <<<"$(batched $n)"
  (( b1 == b0 )) || mem[$n]+=", $(awk -v r=$((r1 - r0)) -v b=$((b1 - b0)) 'BEGIN { printf "%d reads in %d batches, %.2f per batch", r, b, r / b }')"; done
[[ ${#profs[@]} == 0 ]] || wait "${profs[@]}"
hz=$(getconf CLK_TCK)
for n in A B; do
  r=$(jq .requests $d/get$n.json)
  awk -v n=$n -v t=$(( ${g1[$n]} - ${g0[$n]} - ${p0[$n]} )) -v r=$r -v hz=$hz -v e=$(jq .errors $d/get$n.json) -v rps=$(jq .req_per_s $d/get$n.json) \
    -v q=$(( ${q1[$n]} - ${q0[$n]} - ${pq[$n]} )) -v op=$op -v m="${mem[$n]}" 'BEGIN{printf "%s: %.0f µs/%s, PostgreSQL %.0f µs/%s (%d %ss, %.0f/s, %d errors; %s) ", n, t/hz/r*1e6, op, q/hz/r*1e6, op, r, op, rps, e, m}'
done
echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
