#!/usr/bin/env bash
# bench-onport.sh measures Waybill's Onport face with `waybill serve` as a
# separate process, on SQLite and on PostgreSQL, and a bare net/http handler
# (`waybill bench baseline`) under the same load in the same run, then writes
# a Markdown report.
#
#   scripts/bench-onport.sh [OUTPUT]      (default docs/benchmarks/onport.md)
#
# With the default OUTPUT it also rewrites the summary table of
# docs/BENCHMARKS.md (between its bench-onport markers).
#
# Per engine, on a fresh database:
#   sync          POST /api/channels/{id}/manual-sale.json (throttling off), closed loop
#   async         POST /webhooks/custom-channels/manual-sale.json, closed loop, processing on
#   async-open    the same at a fixed RATE (open loop: latency from each scheduled send)
#   drain         how fast the processor empties the backlog afterwards (waybill_inbound_pending)
# and with WAYBILL_INBOUND_WORKERS=0, the async path alone (ingest: on SQLite
# closed loop and open loop, on PostgreSQL closed loop), after which a server
# with processing on and no load is started on that database and timed, from
# its start, until the backlog is processed (drain alone: the processor with
# the machine to itself, where the drain after the loads shares it with
# the loads' tail, its requests and its own yielding).
#
# Environment:
#   BENCH_DURATION      each load's length (default 10s)
#   BENCH_CONCURRENCY   closed-loop workers (default 128)
#   BENCH_RATE          open-loop requests per second (default 5000)
#   BENCH_DRAIN         longest wait for the backlog to drain (default 120s)
#   BENCH_BIN           a waybill binary to measure instead of building this tree
#                       (to compare two commits back to back with one script)
#   WAYBILL_BENCH_POSTGRES_URL   PostgreSQL to use; a fresh schema is created
#                       and dropped (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#
# Needs go, curl, jq and psql. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks/onport.md}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-128}
rate=${BENCH_RATE:-5000}
drain=${BENCH_DRAIN:-120s}
pg_url=${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
command_line="BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency BENCH_RATE=$rate scripts/bench-onport.sh${*:+ $*}"
# Open loop: enough connections for the rate at up to 100 ms each.
open_concurrency=$(( rate / 10 > 64 ? rate / 10 : 64 ))

for tool in go curl jq psql; do
	command -v "$tool" >/dev/null || { echo "bench-onport: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
schema=""
bench_name=bench-onport
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${BENCH_BIN:-} ]]; then
	cp "$BENCH_BIN" "$tmp/waybill"
else
	echo "bench-onport: building" >&2
	go build -o "$tmp/waybill" ./cmd/waybill
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
run_id=$(date +%s)

# A three-line sale for two vendors; {{n}} makes each externalId new.
sale_body() {
	printf '{"externalId":"%s-{{n}}","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]},{"externalId":"L3","name":"Cap","quantity":3,"price":12,"properties":[{"key":"vendor","value":"vendor-a"}]}],"shipping":[{"code":"std","name":"Standard","price":4}]}' "$1"
}

# load NAME EXTRA_ARGS...: run one `waybill bench http` load, keep its JSON in $tmp/NAME.json.
load() {
	local name=$1 c0 c1
	shift
	echo "bench-onport: $name" >&2
	c0=$(cpu_ticks)
	"$tmp/waybill" bench http --duration "$duration" --json "$@" >"$tmp/$name.raw.json"
	c1=$(cpu_ticks)
	# The server's CPU per request, in microseconds (user+system).
	jq --argjson ticks "$((c1 - c0))" --argjson hz "$clk_tck" \
		'. + {cpu_us_per_req: (if .requests > 0 then $ticks / $hz * 1e6 / .requests else 0 end)}' \
		"$tmp/$name.raw.json" >"$tmp/$name.json"
	jq -r '"  \(.req_per_s | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, \(.errors) errors, server CPU \(.cpu_us_per_req | floor) µs/req \(.first_error // "")"' "$tmp/$name.json" >&2
}

# cpu_ticks: the server's user+system CPU so far, in clock ticks
# (/proc/PID/stat fields 14 and 15).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
clk_tck=$(getconf CLK_TCK)

pending() {
	curl -fsS "$base/metrics" | awk '$1 == "waybill_inbound_pending" { print int($2) }'
}

# drain NAME: wait for the backlog to empty (at most $drain); record what
# was processed and how fast in $tmp/NAME.json.
drain_backlog() {
	local name=$1 start now before left limit c0 c1
	limit=$(( ${drain%s} ))
	before=$(pending)
	c0=$(cpu_ticks)
	start=$(date +%s.%N)
	left=$before
	echo "bench-onport: $name (backlog $before)" >&2
	while (( left > 0 )); do
		now=$(date +%s.%N)
		if (( $(echo "$now - $start > $limit" | bc) )); then break; fi
		sleep 0.5
		left=$(pending)
	done
	now=$(date +%s.%N)
	c1=$(cpu_ticks)
	# cpu_us_per_sale: the server's user+system CPU over the drain per
	# sale processed, in microseconds.
	jq -n --argjson before "$before" --argjson left "$left" --argjson secs "$(echo "$now - $start" | bc)" \
		--argjson ticks "$((c1 - c0))" --argjson hz "$clk_tck" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
		'{before: $before, left: $left, secs: $secs, per_s: (if $secs > 0 then ($before - $left) / $secs else 0 end),
		  cpu_us_per_sale: (if $before > $left then $ticks / $hz * 1e6 / ($before - $left) else 0 end), load: $load}' >"$tmp/$name.json"
	jq -r '"  \(.before - .left) processed in \(.secs | . * 10 | round / 10) s: \(.per_s | floor) sales/s, \(.left) left, server CPU \(.cpu_us_per_sale | floor) µs/sale"' "$tmp/$name.json" >&2
}

# start_server ENGINE DATABASE_URL [ENV...]: start `waybill serve` and wait
# until it is ready; sets $pid and $base.
start_server() {
	local engine=$1
	shift
	start_waybill "$tmp/waybill" "$tmp/serve-$engine.log" "$@"
}

# serve ENGINE DATABASE_URL [ENV...]: start `waybill serve`, create a channel;
# sets $base, $channel_id and $hash.
serve() {
	start_server "$@"
	local ch
	ch=$(curl -fsS -X POST "$base/v1/channels" -H "as-api-key: $key" -d '{"name":"bench"}')
	channel_id=$(jq -r .id <<<"$ch")
	hash=$(jq -r .webhook_hash <<<"$ch")
}

# drain_alone NAME ENGINE DATABASE_URL BACKLOG: start a server with processing
# on and no load on DATABASE_URL, whose BACKLOG pending messages a server
# with WAYBILL_INBOUND_WORKERS=0 accepted, and time it until nothing is
# pending (at most $drain), from just before the process starts: its start
# and the first polls count against it. The server's CPU is the whole
# process's, start included. Records NAME.json as drain_backlog does.
drain_alone() {
	local name=$1 engine=$2 db=$3 before=$4 start now left limit
	limit=$(( ${drain%s} ))
	echo "bench-onport: $name (backlog $before, processing alone)" >&2
	start=$(date +%s.%N)
	start_server "$engine" "$db"
	left=$(pending)
	while (( left > 0 )); do
		now=$(date +%s.%N)
		if (( $(echo "$now - $start > $limit" | bc) )); then break; fi
		sleep 0.2
		left=$(pending)
	done
	now=$(date +%s.%N)
	jq -n --argjson before "$before" --argjson left "$left" --argjson secs "$(echo "$now - $start" | bc)" \
		--argjson ticks "$(cpu_ticks)" --argjson hz "$clk_tck" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
		'{before: $before, left: $left, secs: $secs, per_s: (if $secs > 0 then ($before - $left) / $secs else 0 end),
		  cpu_us_per_sale: (if $before > $left then $ticks / $hz * 1e6 / ($before - $left) else 0 end), load: $load}' >"$tmp/$name.json"
	jq -r '"  \(.before - .left) processed in \(.secs | . * 10 | round / 10) s: \(.per_s | floor) sales/s, \(.left) left, server CPU \(.cpu_us_per_sale | floor) µs/sale"' "$tmp/$name.json" >&2
	stop_server
}

async_args() {
	echo --url "$base/webhooks/custom-channels/manual-sale.json" --method POST --expect 200
}

# bench_engine ENGINE DATABASE_URL: the four measurements on one engine.
bench_engine() {
	local engine=$1 db=$2
	settle "$pg_url"
	serve "$engine" "$db"
	load "$engine-sync" --url "$base/api/channels/$channel_id/manual-sale.json" --method POST --expect 201 \
		--header "Authorization: Bearer $key" --header 'Content-Type: application/json' \
		--concurrency "$concurrency" --body-template "$(sale_body "$run_id-$engine-sync")"
	settle "$pg_url"
	# shellcheck disable=SC2046
	load "$engine-async" $(async_args) --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
		--concurrency "$concurrency" --body-template "$(sale_body "$run_id-$engine-async")"
	# shellcheck disable=SC2046
	load "$engine-async-open" $(async_args) --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
		--concurrency "$open_concurrency" --rate "$rate" --body-template "$(sale_body "$run_id-$engine-open")"
	drain_backlog "$engine-drain"
	stop_server
}

bench_engine sqlite "sqlite:$tmp/sqlite/waybill.db"

# Ingestion alone: no processing workers in this process.
settle "$pg_url"
serve sqlite-ingest "sqlite:$tmp/sqlite-ingest/waybill.db" WAYBILL_INBOUND_WORKERS=0
# shellcheck disable=SC2046
load sqlite-ingest $(async_args) --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
	--concurrency "$concurrency" --body-template "$(sale_body "$run_id-ingest")"
# shellcheck disable=SC2046
load sqlite-ingest-open $(async_args) --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
	--concurrency "$open_concurrency" --rate "$rate" --body-template "$(sale_body "$run_id-ingest-open")"
backlog=$(pending)
stop_server
# The backlog those loads left, processed by a server with the machine to itself.
settle "$pg_url"
drain_alone sqlite-alone sqlite-ingest "sqlite:$tmp/sqlite-ingest/waybill.db" "$backlog"

schema="waybill_bench_$$_$RANDOM"
psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
if [[ $pg_url == *\?* ]]; then pg_schema_url="$pg_url&search_path=$schema"; else pg_schema_url="$pg_url?search_path=$schema"; fi
bench_engine postgres "$pg_schema_url"
# As on SQLite: a backlog accepted with processing off (on a channel of its
# own, in the same database), then processed alone.
settle "$pg_url"
serve postgres-ingest "$pg_schema_url" WAYBILL_INBOUND_WORKERS=0
# shellcheck disable=SC2046
load postgres-ingest $(async_args) --header "jetti-webhook-hash: $hash" --header 'Content-Type: application/json' \
	--concurrency "$concurrency" --body-template "$(sale_body "$run_id-pg-ingest")"
backlog=$(pending)
stop_server
settle "$pg_url"
drain_alone postgres-alone postgres-ingest "$pg_schema_url" "$backlog"
pg_version=$(psql -tA "$pg_url" -c 'SHOW server_version')
pg_sync=$(psql -tA "$pg_url" -c 'SHOW synchronous_commit')

# The baseline answers 200 to anything; it gets the async load's body.
settle "$pg_url"
rm -f "$tmp/addr"
"$tmp/waybill" bench baseline --addr 127.0.0.1:0 --addr-file "$tmp/addr" 2>>"$tmp/baseline.log" &
pid=$!
wait_ready "$tmp/addr" /
load baseline --url "$base/webhooks/custom-channels/manual-sale.json" --method POST --expect 200 \
	--header 'Content-Type: application/json' --concurrency "$concurrency" --body-template "$(sale_body "$run_id-base")"
load baseline-open --url "$base/webhooks/custom-channels/manual-sale.json" --method POST --expect 200 \
	--header 'Content-Type: application/json' --concurrency "$open_concurrency" --rate "$rate" --body-template "$(sale_body "$run_id-base-open")"
stop_server
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

base_rps=$(jq -r .req_per_s "$tmp/baseline.json")
# row LABEL NAME: one Markdown row of a load, with its ratio to the baseline.
row() {
	jq -r --arg name "$1" --argjson base "$base_rps" \
		'def ms: . * 10 | round / 10; "| \($name) | \(.concurrency) | \(if .rate then (.rate | tostring) + "/s" else "closed" end) | \(.req_per_s | round) | \(.p50_ms | ms) | \(.p90_ms | ms) | \(.p99_ms | ms) | \(.errors) | \(.cpu_us_per_req | round) | \(if .rate or $base <= 0 then "–" else (.req_per_s / $base * 1000 | round / 10 | tostring) + " %" end) |"' \
		"$tmp/$2.json"
}
drain_row() {
	jq -r --arg name "$1" '"| \($name) | \(.before) | \(.before - .left) | \(.secs | . * 10 | round / 10) s | \(.per_s | round) | \(.cpu_us_per_sale | round) | \(.left) | \(.load) |"' "$tmp/$2.json"
}

table=$(
	echo "| load | workers | loop | req/s | p50 (ms) | p90 (ms) | p99 (ms) | errors | server CPU (µs/req) | ratio to baseline |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
	row "SQLite async, processing on" sqlite-async
	row "SQLite async, processing on" sqlite-async-open
	row "SQLite async, ingestion alone" sqlite-ingest
	row "SQLite async, ingestion alone" sqlite-ingest-open
	row "SQLite sync (throttling off)" sqlite-sync
	row "PostgreSQL async, processing on" postgres-async
	row "PostgreSQL async, processing on" postgres-async-open
	row "PostgreSQL sync (throttling off)" postgres-sync
	row "bare net/http" baseline
	row "bare net/http" baseline-open
)
drains=$(
	echo "| drain | backlog | processed | in | sales/s | server CPU (µs/sale) | left | load average after |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	drain_row "SQLite, after the loads with processing on" sqlite-drain
	drain_row "SQLite, processing alone (backlog of the ingestion-alone loads)" sqlite-alone
	drain_row "PostgreSQL, after the loads with processing on" postgres-drain
	drain_row "PostgreSQL, processing alone (backlog of a closed-loop ingestion-alone load)" postgres-alone
)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$out")"
# Notes written by hand below the marker line survive a new run.
if [[ -f $out ]] && grep -q '^<!-- bench-onport:kept' "$out"; then
	sed -n '/^<!-- bench-onport:kept/,$p' "$out" >"$tmp/kept.md"
fi
cat >"$out" <<REPORT
# Onport: asynchronous and synchronous manual sales

Measured by \`scripts/bench-onport.sh\`; the Onport figures of \`docs/BENCHMARKS.md\` come from here.

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) CPUs ($cpu), $(uname -sr), $(go version | cut -d' ' -f3-)
- PostgreSQL: $pg_version on the same machine, synchronous_commit=$pg_sync; SQLite: modernc.org/sqlite, WAL, synchronous=FULL
- Load average (1, 5, 15 min) before: $load_before; after: $load_after (other work on the machine shows here)
- Command: \`$command_line\`
- Each load: $duration, \`waybill bench http\` with keep-alive connections; closed loop with $concurrency
  workers, open loop at $rate requests/s (latency counted from each request's scheduled time)

$table

After the async loads, the processor works the backlog down (\`waybill_inbound_pending\` on
\`/metrics\`, polled every 0.5 s, at most $drain). *Processing alone* is the backlog that the
ingestion-alone loads (\`WAYBILL_INBOUND_WORKERS=0\`) left: a server with processing on is started
on that database with no load and timed from just before its start (the start and the polls,
every 0.2 s, count against it; its CPU is the whole process's) until nothing is pending:

$drains

**async** is \`POST /webhooks/custom-channels/manual-sale.json\` with the channel's
\`jetti-webhook-hash\` and a three-line manual sale for two vendors (about 600 bytes), a new
\`externalId\` each time: 200 once the message is committed (group commit: every request that
arrives during a commit goes into the next one, with one fsync). *processing on* is \`waybill
serve\` as shipped, its processor turning those messages into sales, lines, purchases and
\`sale.dropship\` events at the same time on the same CPUs; *ingestion alone* is a server with
\`WAYBILL_INBOUND_WORKERS=0\`, which only accepts (another instance would process).
**sync** is \`POST /api/channels/{id}/manual-sale.json\` with the same body and the Bearer key,
throttling off (\`WAYBILL_RATE_LIMIT_SCALE=0\`): 201 once the sale and all it implies are committed,
one transaction per request. **bare net/http** is \`waybill bench baseline\`, a handler that reads
the body and answers 200, loaded the same way; the ratio is a load's req/s over the baseline's
closed-loop req/s (open loops send a fixed rate, so they have none).

## How to read these figures

- **Two cores for everything.** The load generator, the server and PostgreSQL share the machine's
  $(nproc) CPUs; the baseline mostly measures how fast the generator and the loopback go.
- **Durable.** No figure relaxes durability: SQLite fsyncs every commit (\`synchronous=FULL\`), and
  PostgreSQL's commits wait for the WAL flush (synchronous_commit above).
- **The processor yields.** While requests are being committed, the processor pauses 50 ms between
  turns of 10 messages and ends a turn early when a commit waits, so that acknowledging traffic
  durably comes first; it catches up when the burst ends (the drain table).
REPORT
if [[ -s $tmp/kept.md ]]; then
	{ echo; cat "$tmp/kept.md"; } >>"$out"
fi
echo "bench-onport: wrote $out" >&2

# The summary in docs/BENCHMARKS.md, between its bench-onport markers.
summary_row() {
	jq -r --arg name "$1" --argjson base "$base_rps" \
		'def ms: . * 10 | round / 10; def n: round | tostring | if length > 3 then .[:-3] + "," + .[-3:] else . end;
		"| \($name) | \(.req_per_s | n) | \(.p50_ms | ms) | \(.p99_ms | ms) | \(if .rate or $base <= 0 then "" else (.req_per_s / $base * 1000 | round / 10 | tostring) + " %" end) |"' \
		"$tmp/$2.json"
}
{
	echo "Last run ($(date -u '+%Y-%m-%d %H:%M') UTC, load average ${load_before%% *} before):"
	echo
	echo "| load | req/s | p50 (ms) | p99 (ms) | ratio to bare net/http |"
	echo "|---|---:|---:|---:|---:|"
	summary_row "SQLite async, processing on, closed loop ($concurrency workers)" sqlite-async
	summary_row "SQLite async, processing on, open loop at $rate/s" sqlite-async-open
	summary_row "SQLite async, ingestion alone, closed loop" sqlite-ingest
	summary_row "SQLite async, ingestion alone, open loop at $rate/s" sqlite-ingest-open
	summary_row "SQLite sync, closed loop" sqlite-sync
	summary_row "PostgreSQL async, processing on, closed loop" postgres-async
	summary_row "PostgreSQL async, processing on, open loop at $rate/s" postgres-async-open
	summary_row "PostgreSQL sync, closed loop" postgres-sync
	summary_row "bare net/http, closed loop" baseline
} >"$tmp/summary.md"
if [[ $out == docs/benchmarks/onport.md ]] && grep -q '<!-- bench-onport:begin' docs/BENCHMARKS.md; then
	awk -v summary="$tmp/summary.md" '
		/<!-- bench-onport:begin/ { print; while ((getline line < summary) > 0) print line; skip = 1; next }
		/<!-- bench-onport:end/ { skip = 0 }
		!skip { print }' docs/BENCHMARKS.md >"$tmp/BENCHMARKS.md"
	cp "$tmp/BENCHMARKS.md" docs/BENCHMARKS.md
	echo "bench-onport: updated the summary in docs/BENCHMARKS.md" >&2
fi
cat "$out"
