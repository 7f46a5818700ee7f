#!/usr/bin/env bash
# bench-get-cost.sh BIN N [PPROF_ADDR]: serve BIN (a built waybill) on the PostgreSQL database
# scaleout_bench (emptied first; create it once with `createdb -h 127.0.0.1 -U postgres
# scaleout_bench`), run a v4 get-by-id load of N requests (pool 100, 32 workers), and print per get:
# waybill serve's CPU, the PostgreSQL backends' CPU (of that database) and transactions (round
# trips), each net of a pool-only run. Before the measured load, WARM gets (default 3200) warm
# every pooled connection: a PostgreSQL backend's first executions of a prepared statement plan it
# (the first with a cold catalog cache, milliseconds), a one-off per connection that the measured
# run would otherwise charge to its gets; WARM=0 keeps it in. RLVARS replaces the rate-limit settings (default: off),
# e.g. RLVARS="WAYBILL_RATE_LIMIT_V4=1000000 WAYBILL_REDIS_URL=redis://127.0.0.1:6379/0".
# DB overrides the server's database URL; BENCH_DB names the database (default scaleout_bench),
# ADMIN the URL of the server the script inspects (default 127.0.0.1:5432). Everything runs on
# loopback.
set -euo pipefail
bin=$1; n=$2; pprof=${3:-}
dbname=${BENCH_DB:-scaleout_bench}
admin=${ADMIN:-"postgres://postgres@127.0.0.1:5432/$dbname?sslmode=disable"}
db=${DB:-$admin}
key=wb_bench_scaleout_0123456789
psql -q "$admin" -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1
rm -f ${TMPDIR:-/tmp}/addr
env WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE=${TMPDIR:-/tmp}/addr WAYBILL_DATABASE_URL="$db" WAYBILL_BOOTSTRAP_API_KEY=$key ${RLVARS:-WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_RATE_LIMIT_V4=0} \
  WAYBILL_LOG_LEVEL=warn WAYBILL_PPROF_ADDR=$pprof \
  $bin serve 2>>${TMPDIR:-/tmp}/serve.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s ${TMPDIR:-/tmp}/addr ] && curl -fs "http://$(cat ${TMPDIR:-/tmp}/addr)/readyz" >/dev/null && break; sleep 0.2; done
base="http://$(cat ${TMPDIR:-/tmp}/addr)"
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
pgcpu() { local t=0; for p in $(psql -tA "$admin" -c "select pid from pg_stat_activity where datname='$dbname' and pid<>pg_backend_pid()"); do [ -r /proc/$p/stat ] && t=$((t+$(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
xacts() { psql -tA "$admin" -c "select xact_commit+xact_rollback from pg_stat_database where datname='$dbname'"; }
run() { # requests
  local c0 x0 c1 x1
  c0=$(cpu); x0=$(xacts); p0=$(pgcpu)
  $bin bench aftership --url "$base" --key $key --op get --pool 100 --concurrency 32 --requests $1 --duration 10m --json > ${TMPDIR:-/tmp}/last.json
  c1=$(cpu); x1=$(xacts); p1=$(pgcpu)
  echo "$((c1-c0)) $((x1-x0 - 2)) $((p1-p0))"
}
read cw xw pw < <(run 1)
if [ "${WARM:-3200}" -gt 0 ]; then run "${WARM:-3200}" >/dev/null; fi
read c x pg < <(run $n)
tck=$(getconf CLK_TCK)
rps=$(jq .req_per_s ${TMPDIR:-/tmp}/last.json)
awk -v c=$c -v cw=$cw -v x=$x -v pg=$pg -v xw=$xw -v n=$n -v t=$tck -v rps=$rps -v la="$(cut -d' ' -f1-3 /proc/loadavg)" \
  'BEGIN{printf "cpu_us_per_get=%.1f pg_backend_cpu_us_per_get=%.1f xacts_per_get=%.3f req_per_s=%.0f load=%s\n", (c-cw)/t/n*1e6, pg/t/n*1e6, (x-xw)/n, rps, la}'
