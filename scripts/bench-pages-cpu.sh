#!/usr/bin/env bash
# bench-pages-cpu.sh measures the server CPU one tracking page view costs:
# it serves ENGINE with `waybill serve`, creates one tracking with three
# checkpoints (as bench-pages.sh creates its pool), loads its page for
# BENCH_DURATION with `waybill bench http`, and divides the server's CPU
# time over the load (user + system, /proc/PID/stat) by the views answered.
# Unlike views per second, this figure means something on a busy machine.
# On PostgreSQL it also reports the database's CPU per view: the ticks of
# the PostgreSQL backends whose application_name is this run's (the
# server's request and worker pools; other sessions are left out).
#
#   scripts/bench-pages-cpu.sh [ENGINE]   (sqlite, the default, or postgres)
#
# Environment:
#   WAYBILL_BIN                  the binary to measure (default: built from here)
#   BENCH_DURATION               the load's length (default 10s)
#   BENCH_CONCURRENCY            closed-loop workers (default 32)
#   BENCH_WARM                   an unmeasured load first (default 2s; 0 for none):
#                                each pooled PostgreSQL connection plans the page's
#                                statement on its first executions (the first with a
#                                cold catalog cache, milliseconds), a one-off that a
#                                10 s load would otherwise charge to its views
#   BENCH_PROFILE                write an 8 s CPU profile of the server here
#   BENCH_PORT, BENCH_PPROF_PORT the server's and its pprof listener's ports
#                                (default: free ones the kernel picks)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL for ENGINE=postgres; a fresh schema
#                                is created and dropped
#   BENCH_PG_LOG                 PostgreSQL only: the server's log file (readable
#                                here, e.g. /var/log/postgresql/postgresql-15-main.log).
#                                Instead of the load, the server's connections log
#                                every statement (log_statement=all), 100 views are
#                                made one after another, and the statements this
#                                run's backends logged meanwhile are counted and
#                                printed by kind; no CPU figure then.
#
# It prints one line: engine, views, views/s, errors, CPU per view (and the
# database's, and the page reads per batched statement), the server's peak
# RSS (VmHWM), load average.
set -euo pipefail

cd "$(dirname "$0")/.."
engine=${1:-sqlite}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-32}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-pages-cpu
app=waybill_bench_pages_cpu_$$
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# This tree's binary picks the free ports (and is measured unless WAYBILL_BIN names another).
go build -o "$tmp/waybill" ./cmd/waybill
bin=${WAYBILL_BIN:-$tmp/waybill}
free_port() { "$tmp/waybill" bench free-port; }
port=${BENCH_PORT:-$(free_port)}
pprof_port=${BENCH_PPROF_PORT:-$(free_port)}
case $engine in
sqlite) db="sqlite:$tmp/waybill.db" ;;
postgres)
	schema="waybill_benchcpu_$$_$RANDOM"
	psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
	if [[ $pg_url == *\?* ]]; then db="$pg_url&search_path=$schema"; else db="$pg_url?search_path=$schema"; fi
	db="$db&application_name=$app"
	if [[ -n ${BENCH_PG_LOG:-} ]]; then db="$db&options=-c%20log_statement%3Dall"; fi
	;;
*) echo "$bench_name: engine is sqlite or postgres" >&2; exit 2 ;;
esac
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
WAYBILL_ADDR=127.0.0.1:$port WAYBILL_PUBLIC_URL=http://127.0.0.1:$port WAYBILL_ADDR_FILE="$tmp/addr" \
	WAYBILL_DATABASE_URL="$db" WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 \
	WAYBILL_LOG_LEVEL=warn WAYBILL_PPROF_ADDR=127.0.0.1:$pprof_port "$bin" serve 2>>"$tmp/serve.log" &
pid=$!
wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve.log" >&2; exit 1; }

api() { curl -fsS -H "as-api-key: $key" -H 'Content-Type: application/json' "$@"; }
page=$(api -d '{"slug":"dhl","tracking_number":"WBCPU000001","order_number":"#1","order_id":"WBCPU-O1","destination_city":"Leeds",
	"customers":[{"name":"Bench Shopper","email":"shopper@example.com"}]}' "$base/tracking/2026-07/trackings" | jq -r .data.aftership_tracking_url)
api -o /dev/null -d '{"slug":"dhl","tracking_number":"WBCPU000001","checkpoints":[
	{"checkpoint_time":"2026-07-01T10:00:00+02:00","message":"Shipment picked up","city":"Köln","country_iso3":"DEU","tag":"InTransit"},
	{"checkpoint_time":"2026-07-02T06:10:00+01:00","message":"Arrived at facility","city":"Leeds","country_iso3":"GBR","tag":"InTransit"},
	{"checkpoint_time":"2026-07-02T08:40:00+01:00","message":"Out for delivery","city":"Leeds","country_iso3":"GBR","tag":"OutForDelivery"}]}' \
	"$base/v1/checkpoints"
sleep 2 # let the creation's background work finish

# backend_ticks: "PID TICKS" of the PostgreSQL backends of this run's
# server (by application_name), none on SQLite.
backend_ticks() {
	[[ $engine == postgres ]] || return 0
	psql -tA "$pg_url" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'" |
		while read -r backend; do
			if [[ -r /proc/$backend/stat ]]; then sed -E "s/^.*\) /$backend /" "/proc/$backend/stat" | cut -d' ' -f1,13,14; fi
		done | awk '{ print $1, $2 + $3 }'
}

if [[ -n ${BENCH_PG_LOG:-} && $engine == postgres ]]; then
	views=100
	from=$(($(wc -l <"$BENCH_PG_LOG") + 1))
	for _ in $(seq "$views"); do curl -fsS -o /dev/null "$base/t/${page##*/t/}"; done
	sleep 1
	pids=$(psql -tA "$pg_url" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'" | paste -sd'|')
	tail -n +"$from" "$BENCH_PG_LOG" | grep -E "\[($pids)\] .*LOG: +(statement|execute)" | sed -E 's/.*LOG: +//; s/(execute|statement)[^:]*: */\1: /' |
		cut -c1-100 | sort | uniq -c | sort -rn >"$tmp/statements"
	total=$(awk '{ s += $1 } END { print s + 0 }' "$tmp/statements")
	echo "postgres: $views views one after another, $total statements logged by this run's backends ($(awk -v t="$total" -v v="$views" 'BEGIN { printf "%.2f", t / v }') per view; the workers' polls included), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	cat "$tmp/statements"
	stop_server
	exit 0
fi

if [[ ${BENCH_WARM:-2s} != 0 ]]; then
	"$bin" bench http --url "$base/t/${page##*/t/}" --expect 200 --concurrency "$concurrency" --duration "${BENCH_WARM:-2s}" --json >/dev/null
fi
profiler=""
if [[ -n ${BENCH_PROFILE:-} ]]; then
	(sleep 1; curl -fsS -o "$BENCH_PROFILE" "http://127.0.0.1:$pprof_port/debug/pprof/profile?seconds=8") &
	profiler=$!
fi
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# batched: "READS BATCHES" of the store's batched reads so far (PostgreSQL).
batched() { curl -fsS "$base/metrics" | awk '$1 == "waybill_store_batched_reads_total" { r = $2 } $1 == "waybill_store_read_batches_total" { b = $2 } END { printf "%d %d", r, b }'; }
batched0=$(batched)
backend_ticks >"$tmp/pg0"
t0=$(ticks)
"$bin" bench http --url "$base/t/${page##*/t/}" --expect 200 --concurrency "$concurrency" --duration "$duration" --json >"$tmp/res.json"
t1=$(ticks)
backend_ticks >"$tmp/pg1"
batched1=$(batched)
batches=$(awk -v a="$batched0" -v b="$batched1" 'BEGIN { split(a, x, " "); split(b, y, " "); if (y[2] > x[2]) printf "%.1f", (y[1] - x[1]) / (y[2] - x[2]); else print "-" }')
if [[ -n $profiler ]]; then wait "$profiler"; fi
hz=$(getconf CLK_TCK)
# A backend that started during the load counts from zero.
pg_ticks=$(awk 'NR == FNR { a[$1] = $2; next } { s += $2 - a[$1] } END { print s + 0 }' "$tmp/pg0" "$tmp/pg1")
jq -r --arg engine "$engine" --argjson ticks $((t1 - t0)) --argjson pg "$pg_ticks" --argjson hz "$hz" --arg batches "$batches" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--argjson hwm "$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")" \
	'"\($engine): \(.requests) views, \(.req_per_s | round) views/s, \(.errors) errors, server CPU per view \($ticks / $hz / .requests * 1e6 | round) µs\(if $engine == "postgres" then ", database CPU per view \($pg / $hz / .requests * 1e6 | round) µs, \($batches) reads per batch" else "" end), peak RSS \($hwm / 1024 | round) MiB, load average \($load)"' \
	"$tmp/res.json"
grep -m3 'level=ERROR' "$tmp/serve.log" >&2 || true
stop_server
