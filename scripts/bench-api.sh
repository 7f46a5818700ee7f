#!/usr/bin/env bash
# bench-api.sh measures Waybill's AfterShip v4 API — create and get by id —
# on SQLite and on PostgreSQL, each served by `waybill serve` as a separate
# process, and a bare net/http handler (`waybill bench baseline`) under the
# same load on the same machine, then writes a Markdown report.
#
#   scripts/bench-api.sh [OUTPUT]      (default docs/benchmarks/api.md)
#
# Environment:
#   BENCH_DURATION               each load's length (default 10s)
#   BENCH_CONCURRENCY            closed-loop workers (default 32)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created
#                                and dropped (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/api.md}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-32}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command_line="BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency scripts/bench-api.sh${*:+ $*}"

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-api: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-api
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-api: building" >&2
go build -o "$tmp/waybill" ./cmd/waybill
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# How many synced 4 KiB writes a second this disk takes: the ceiling of
# SQLite creates, each of which waits for one.
disk_syncs=$(dd if=/dev/zero of="$tmp/dsync" bs=4k count=200 oflag=dsync 2>&1 |
	awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print int(200 / $(i-1)) }')
rm -f "$tmp/dsync"
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

# load NAME ARGS...: run one load, keep its JSON in $tmp/NAME.json.
load() {
	local name=$1
	shift
	echo "bench-api: $name" >&2
	"$tmp/waybill" bench "$@" --concurrency "$concurrency" --duration "$duration" --json >"$tmp/$name.json"
	jq -r '"  \(.req_per_s | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, \(.errors) errors \(.first_error // "")"' "$tmp/$name.json" >&2
}

# bench_waybill ENGINE DATABASE_URL: serve, then load create and get.
bench_waybill() {
	local engine=$1 db=$2
	rm -f "$tmp/addr"
	WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" WAYBILL_DATABASE_URL="$db" \
		WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_RATE_LIMIT_V4=0 \
		WAYBILL_LOG_LEVEL=warn "$tmp/waybill" serve 2>>"$tmp/serve-$engine.log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve-$engine.log" >&2; return 1; }
	load "$engine-create" aftership --url "$base" --key "$key" --op create
	load "$engine-get" aftership --url "$base" --key "$key" --op get --pool 1000
	stop_server
}

bench_waybill sqlite "sqlite:$tmp/sqlite/waybill.db"

schema="waybill_bench_$$_$RANDOM"
psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
if [[ $pg_url == *\?* ]]; then pg_schema_url="$pg_url&search_path=$schema"; else pg_schema_url="$pg_url?search_path=$schema"; fi
bench_waybill postgres "$pg_schema_url"
pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version')
pg_sync=$(psql -tA "$pg_url" -c 'SHOW synchronous_commit')

# The baseline gets the same two loads: a POST of a create-sized body, and a GET.
rm -f "$tmp/addr"
"$tmp/waybill" bench baseline --addr 127.0.0.1:0 --addr-file "$tmp/addr" 2>>"$tmp/baseline.log" &
pid=$!
wait_ready "$tmp/addr" /
load baseline-create http --url "$base/v4/trackings" --method POST --header 'Content-Type: application/json' \
	--body-template '{"tracking":{"slug":"dhl","tracking_number":"WB{{n}}","title":"bench"}}' --expect 200
load baseline-get http --url "$base/v4/trackings/abc" --expect 200
stop_server
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# row ENGINE OP: one Markdown row, with the ratio to the baseline's same op.
row() {
	local engine=$1 op=$2 base_rps
	base_rps=$(jq -r .req_per_s "$tmp/baseline-$op.json")
	jq -r --arg engine "$engine" --arg op "$op" --argjson base "$base_rps" \
		'"| \($engine) | \($op) | \(.concurrency) | \(.req_per_s | round) | \(.p50_ms) | \(.p99_ms) | \(.errors) | \(if $base > 0 then (.req_per_s / $base * 1000 | round / 10 | tostring) + " %" else "–" end) |"' \
		"$tmp/$engine-$op.json"
}

table=$(
	echo "| engine | operation | concurrency | req/s | p50 (ms) | p99 (ms) | errors | ratio to baseline |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	for engine in sqlite postgres baseline; do
		for op in create get; do
			row "$engine" "$op"
		done
	done
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$out")"
# Notes written by hand after the generated part ("## Profiles" on) are kept.
kept=""
if [[ -f $out ]]; then
	kept=$(sed -n '/^## Profiles/,$p' "$out")
fi
cat >"$out" <<REPORT
# AfterShip v4 API: throughput and latency

Measured by \`scripts/bench-api.sh\`; the figures of \`docs/BENCHMARKS.md\` come from here.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-)
- PostgreSQL: $pg_version on the same machine, synchronous_commit=$pg_sync; SQLite: modernc.org/sqlite, WAL, synchronous=FULL
- Disk: ${disk_syncs:-?} synced 4 KiB writes/s (\`dd oflag=dsync\`)
- Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine shows here)
- Command: \`$command_line\`
- Each load: $duration, closed loop, $concurrency workers with keep-alive connections (\`waybill bench\`)

$table

**create** is \`POST /v4/trackings\` with a new tracking number each time (slug \`dhl\`): 201.
**get** is \`GET /v4/trackings/{id}\` of one of 1,000 trackings created first, chosen at random: 200.
**baseline** is \`waybill bench baseline\`, a bare net/http handler answering 200 with a small JSON
body, loaded the same way (a POST of the same body, a GET); the ratio is Waybill's req/s over the
baseline's for the same operation. Latency counts successful requests only; errors are any other
status or a transport error.

## How to read these figures

- **Two cores for everything.** The load generator, the server and PostgreSQL share the machine's
  $(nproc) CPUs, so every figure, the baseline's included, is lower than a dedicated server
  would give, and the baseline mostly measures how fast the generator and the kernel's loopback
  go. The ratio to the baseline is the meaningful number; the absolute req/s are this machine's.
  A load average well above the CPU count means other processes competed during the run.
- **SQLite create waits for fsync, shared.** The store opens SQLite with \`synchronous=FULL\` and a
  single writer connection, so that an acknowledged create survives a power cut (DESIGN.md:
  committed before acknowledged). Creates commit in groups (\`store.GroupCommitter\`): the
  creates that arrive while one transaction commits share the next one, each in a savepoint of
  its own (the tracking and its poll job), and each is answered once that transaction's WAL fsync
  is done. The disk line above was the ceiling of one create per fsync; with group commit, CPU is.
- **PostgreSQL create** waits for a WAL flush per commit (synchronous_commit above), which
  concurrent commits share on their own; each create is a few round trips (tracking, job insert,
  commit) from the server to PostgreSQL, which competes for the same two CPUs. It does not use
  group commit: one connection running a batch's round trips one after another was slower.
- **get** is a read and needs no fsync; SQLite serves it from a pool of 8 read connections.
- Rate limits are off (\`WAYBILL_RATE_LIMIT_SCALE=0\`, \`WAYBILL_RATE_LIMIT_V4=0\`); with AfterShip's
  default of 10 requests/s per key, a single key could not load the server at all.
- Each create enqueues a carrier poll job; the server's workers run those during the load, as
  they would in production.
REPORT
if [[ -n $kept ]]; then
	printf '\n%s\n' "$kept" >>"$out"
fi
echo "bench-api: wrote $out" >&2
cat "$out"
