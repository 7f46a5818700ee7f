#!/usr/bin/env bash
# bench-import.sh times `waybill import` of a generated CSV (100,000 rows in
# AfterShip's import columns, every 1,000th row rejected for a bad email)
# into a fresh `waybill serve`, twice: the first run creates the trackings,
# the second must create none. It prints each run's summary line and the
# load average around them.
#
#   scripts/bench-import.sh [sqlite|postgres]       (default sqlite)
#
# Environment:
#   BENCH_ROWS                   rows of the file (default 100000)
#   BENCH_BATCH                  --batch (default 500)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL for the postgres engine; a fresh
#                                schema is created and dropped (default
#                                postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#
# Needs go and curl (and psql for postgres). Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
engine=${1:-sqlite}
rows=${BENCH_ROWS:-100000}
batch=${BENCH_BATCH:-500}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-import
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-import: building waybill and writing $rows rows" >&2
go build -o "$tmp/waybill" ./cmd/waybill
WAYBILL_IMPORT_CSV=$tmp/trackings.csv WAYBILL_IMPORT_ROWS=$rows go test -count=1 -run '^TestWriteImportCSV$' ./cmd/waybill >/dev/null

case $engine in
sqlite) db=sqlite:$tmp/waybill.db ;;
postgres)
	schema=bench_import_$$
	psql -q "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
	db="$pg_url&search_path=$schema"
	;;
*) echo "bench-import: engine must be sqlite or postgres" >&2; exit 2 ;;
esac

key=wb_bench_import_key_00001
WAYBILL_DATABASE_URL=$db WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE=$tmp/addr WAYBILL_LOG_LEVEL=warn \
	WAYBILL_BOOTSTRAP_API_KEY=$key "$tmp/waybill" serve 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 600); do
	[[ -s $tmp/addr ]] && curl -sf "http://$(cat "$tmp/addr")/readyz" >/dev/null && break
	sleep 0.1
done
url=http://$(cat "$tmp/addr")

echo "engine $engine, $rows rows, --batch $batch, $(nproc) CPUs"
for run in 1 2; do
	echo "run $run, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	WAYBILL_API_KEY=$key "$tmp/waybill" import --url "$url" --batch "$batch" "$tmp/trackings.csv" | tail -1
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
