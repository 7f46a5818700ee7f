#!/usr/bin/env bash
# bench-onport-pair.sh compares waybill binaries on PostgreSQL Onport
# processing alone (bench-onport.sh's "processing alone" row) by CPU per
# sale, which a shared machine's load disturbs far less than sales/s: the
# server process's and PostgreSQL's (every process of its postmaster,
# backends that exited included), and the statements PostgreSQL ran per sale
# (pg_stat_statements, with the foreign-key checks' own).
#
#   scripts/bench-onport-pair.sh OUTDIR SALES BIN...
#
# Give the binaries alternated, as pairs (old new old new ...). For each,
# on a fresh schema: a server with WAYBILL_INBOUND_WORKERS=0 accepts SALES
# async manual sales (bench-onport.sh's body, closed loop, 128 workers) and
# stops; after a CHECKPOINT, a server with processing on is started on it
# and timed until nothing is pending (/metrics every 0.2 s). One JSON line
# per binary goes to OUTDIR/results.jsonl (µs per sale: server_us, pg_us,
# total_us; stmts_per_sale; the processing server's peak RSS, rss_mib; the
# load average before/after), and
# pg_stat_statements' rows to OUTDIR/BIN-SCHEMA.stmts (calls, rows, total ms,
# statement).
#
# It needs a PostgreSQL of its own (its postmaster's CPU is counted whole),
# with pg_stat_statements preloaded, e.g.:
#   initdb -D /tmp/pg/data -A trust -U postgres; and in postgresql.conf:
#   port = 5471, shared_preload_libraries = 'pg_stat_statements',
#   pg_stat_statements.track = all, autovacuum = off (as the shared server);
#   then CREATE DATABASE test; CREATE EXTENSION pg_stat_statements (in test).
#
# Environment:
#   BENCH_PG_DATA   that server's data directory (default /tmp/onport-pair-pg/data)
#   BENCH_PG_URL    its database (default postgres://postgres@127.0.0.1:5471/test?sslmode=disable)
#   BENCH_PPROF     seconds of CPU profile to take from each processing server
#                   (OUTDIR/BIN-SCHEMA.pprof, and its allocations .allocs)
#   BENCH_PPROF_PORT  the port of its pprof listener (default 6971)
#   BENCH_KEEP      set to keep the schemas (to EXPLAIN against them)
set -euo pipefail

out=$1 sales=$2
shift 2
mkdir -p "$out"
pgdata=${BENCH_PG_DATA:-/tmp/onport-pair-pg/data}
pg=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5471/test?sslmode=disable}
hz=$(getconf CLK_TCK)
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
tmp=$(mktemp -d)
pid=""
bench_name=bench-onport-pair
# shellcheck source=scripts/lib/bench.sh
. "$(dirname "$0")/lib/bench.sh"
trap 'if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT

# pg_ticks: the CPU of the postmaster and all its processes, those it
# reaped included (/proc stat fields 14-17), in clock ticks.
pg_ticks() {
	local pm
	pm=$(head -1 "$pgdata/postmaster.pid")
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		for c in $(cat /proc/"$pm"/task/*/children); do
			awk '{ print $14 + $15 + $16 + $17 }' "/proc/$c/stat" 2>/dev/null || true
		done
	} | awk '{ s += $1 } END { print s }'
}

# start_server DATABASE_URL [ENV...]: start $bin serve; sets $pid and $base.
start_server() {
	start_waybill "$bin" "$tmp/serve.log" "$@"
}

pending() {
	curl -fsS "$base/metrics" | awk '$1 == "waybill_inbound_pending" { print int($2) }'
}

for bin in "$@"; do
	name=$(basename "$bin")
	schema="onport_pair_${name//[^a-zA-Z0-9]/_}_$RANDOM"
	psql -qX "$pg" -c "CREATE SCHEMA $schema" >/dev/null
	db="$pg&search_path=$schema"

	start_server "$db" WAYBILL_INBOUND_WORKERS=0
	hash=$(curl -fsS -X POST "$base/v1/channels" -H "as-api-key: $key" -d '{"name":"bench"}' | jq -r .webhook_hash)
	body=$(printf '{"externalId":"%s-{{n}}","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]},{"externalId":"L3","name":"Cap","quantity":3,"price":12,"properties":[{"key":"vendor","value":"vendor-a"}]}],"shipping":[{"code":"std","name":"Standard","price":4}]}' "$schema")
	"$bin" bench http --duration 600s --requests "$sales" --json --concurrency 128 --url "$base/webhooks/custom-channels/manual-sale.json" \
		--method POST --expect 200 --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
		--body-template "$body" >"$tmp/ingest.json"
	backlog=$(pending)
	stop_server
	settle "$pg"

	psql -qX "$pg" -c "SELECT pg_stat_statements_reset()" >/dev/null
	load0=$(cut -d' ' -f1 /proc/loadavg)
	p0=$(pg_ticks)
	start=$(date +%s.%N)
	if [[ -n ${BENCH_PPROF:-} ]]; then
		start_server "$db" WAYBILL_PPROF_ADDR=127.0.0.1:${BENCH_PPROF_PORT:-6971}
		curl -fsS -o "$out/$name-$schema.pprof" "http://127.0.0.1:${BENCH_PPROF_PORT:-6971}/debug/pprof/profile?seconds=$BENCH_PPROF" &
		prof=$!
	else
		start_server "$db"
	fi
	left=$(pending)
	while ((left > 0)); do
		sleep 0.2
		left=$(pending)
	done
	now=$(date +%s.%N)
	s1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
	p1=$(pg_ticks)
	load1=$(cut -d' ' -f1 /proc/loadavg)
	if [[ -n ${BENCH_PPROF:-} ]]; then
		wait "$prof" || true
		curl -fsS -o "$out/$name-$schema.allocs" "http://127.0.0.1:${BENCH_PPROF_PORT:-6971}/debug/pprof/allocs" || true
	fi
	stop_server

	psql -qXtA -F $'\t' "$pg" -c "SELECT calls, rows, round(total_exec_time::numeric, 1), regexp_replace(left(query, 160), '\s+', ' ', 'g')
		FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC" >"$out/$name-$schema.stmts"
	calls=$(awk -F'\t' '{ s += $1 } END { print s }' "$out/$name-$schema.stmts")
	jq -nc --arg bin "$name" --argjson backlog "$backlog" --argjson secs "$(echo "$now - $start" | bc)" \
		--argjson s "$s1" --argjson p "$((p1 - p0))" --argjson hz "$hz" --argjson calls "$calls" --argjson hwm "$hwm" --arg load "$load0/$load1" \
		'{bin: $bin, backlog: $backlog, secs: ($secs * 100 | round / 100), per_s: ($backlog / $secs | round),
		  server_us: ($s / $hz * 1e6 / $backlog | round), pg_us: ($p / $hz * 1e6 / $backlog | round),
		  total_us: (($s + $p) / $hz * 1e6 / $backlog | round), stmts_per_sale: ($calls / $backlog * 100 | round / 100), rss_mib: ($hwm / 1024 | round), load: $load}' |
		tee -a "$out/results.jsonl"
	[[ -n ${BENCH_KEEP:-} ]] || psql -qX "$pg" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
done
