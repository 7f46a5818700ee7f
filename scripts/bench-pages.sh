#!/usr/bin/env bash
# bench-pages.sh measures the hosted tracking pages (GET /t/{token}) on
# SQLite and on PostgreSQL, each served by `waybill serve` as a separate
# process, and a bare net/http handler (`waybill bench baseline`) under the
# same load in the same run, then writes a Markdown report.
#
#   scripts/bench-pages.sh [OUTPUT]      (default docs/benchmarks/pages.md)
#
# Environment:
#   BENCH_DURATION               each load's length (default 10s)
#   BENCH_CONCURRENCY            closed-loop workers (default 32)
#   BENCH_POOL                   trackings created (and viewed at random) per engine (default 500)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created
#                                and dropped (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/pages.md}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-32}
pool=${BENCH_POOL:-500}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command_line="BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency BENCH_POOL=$pool scripts/bench-pages.sh${*:+ $*}"

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-pages: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-pages
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-pages: building" >&2
go build -o "$tmp/waybill" ./cmd/waybill
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

# load NAME ARGS...: run one load, keep its JSON in $tmp/NAME.json.
load() {
	local name=$1
	shift
	echo "bench-pages: $name" >&2
	"$tmp/waybill" bench "$@" --concurrency "$concurrency" --duration "$duration" --json >"$tmp/$name.json"
	jq -r '"  \(.req_per_s | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, \(.errors) errors \(.first_error // "")"' "$tmp/$name.json" >&2
}

# bench_waybill ENGINE DATABASE_URL: serve on a fixed free port (the page
# links are built on WAYBILL_PUBLIC_URL), create the pool, view pages.
bench_waybill() {
	local engine=$1 db=$2 port
	port=$("$tmp/waybill" bench free-port)
	rm -f "$tmp/addr"
	WAYBILL_ADDR=127.0.0.1:$port WAYBILL_PUBLIC_URL=http://127.0.0.1:$port WAYBILL_ADDR_FILE="$tmp/addr" \
		WAYBILL_DATABASE_URL="$db" WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 \
		WAYBILL_LOG_LEVEL=warn "$tmp/waybill" serve 2>>"$tmp/serve-$engine.log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve-$engine.log" >&2; return 1; }
	load "$engine-view" pages --url "$base" --key "$key" --pool "$pool"
	# Errors the server logged (a failed view is a 500) say why views failed.
	grep -m3 'level=ERROR' "$tmp/serve-$engine.log" >&2 || true
	stop_server
	settle "${3:-}"
}

mkdir -p "$tmp/sqlite"
bench_waybill sqlite "sqlite:$tmp/sqlite/waybill.db"

schema="waybill_bench_$$_$RANDOM"
psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
if [[ $pg_url == *\?* ]]; then pg_schema_url="$pg_url&search_path=$schema"; else pg_schema_url="$pg_url?search_path=$schema"; fi
bench_waybill postgres "$pg_schema_url" "$pg_url"
pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version')

rm -f "$tmp/addr"
"$tmp/waybill" bench baseline --addr 127.0.0.1:0 --addr-file "$tmp/addr" 2>>"$tmp/baseline.log" &
pid=$!
wait_ready "$tmp/addr" /
load baseline-view http --url "$base/t/abc" --expect 200
stop_server
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

base_rps=$(jq -r .req_per_s "$tmp/baseline-view.json")
table=$(
	echo "| server | concurrency | views/s | p50 (ms) | p99 (ms) | errors | ratio to baseline |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for engine in sqlite postgres baseline; do
		jq -r --arg engine "$engine" --argjson base "$base_rps" \
			'"| \($engine) | \(.concurrency) | \(.req_per_s | round) | \(.p50_ms) | \(.p99_ms) | \(.errors) | \(if $base > 0 then (.req_per_s / $base * 1000 | round / 10 | tostring) + " %" else "–" end) |"' \
			"$tmp/$engine-view.json"
	done
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$out")"
cat >"$out" <<REPORT
# Hosted tracking pages: views per second and latency

Measured by \`scripts/bench-pages.sh\`; the figures of \`docs/BENCHMARKS.md\` come from here.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-)
- PostgreSQL: $pg_version on the same machine; SQLite: modernc.org/sqlite, WAL, 8 read connections
- Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine shows here)
- Command: \`$command_line\`
- Each load: $duration, closed loop, $concurrency workers with keep-alive connections (\`waybill bench\`)

$table

**sqlite** and **postgres** are \`waybill bench pages\`: $pool trackings are created through the
2026-07 API, each with three checkpoints, then \`GET /t/{token}\` of one of them at random, each
a full answer (no If-None-Match): one indexed read (the tracking joined with its organization and
branding by the page token's unique index), then the page rendered with its ETag — or, when the
read returned exactly the data of a page rendered before, that page's bytes reused. **baseline** is \`waybill
bench baseline\`, a bare net/http handler answering 200 with a small body, loaded the same way.
The ratio is views/s over the baseline's requests/s. Latency counts successful requests only.
Server CPU per view, which unlike views/s means something on a busy machine, is measured by
\`scripts/bench-pages-cpu.sh\`.
REPORT
echo "bench-pages: wrote $out" >&2
cat "$out"
