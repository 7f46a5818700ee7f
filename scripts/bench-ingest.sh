#!/usr/bin/env bash
# bench-ingest.sh measures asynchronous Onport ingestion on SQLite against a
# bare net/http handler several times over, alternating the two, because a
# single run's ratio moves with the machine: issue 18's target (≥ 0.35× of
# bare) holds only if it holds in every run. The server accepts only
# (WAYBILL_INBOUND_WORKERS=0: another instance would process), so the figure
# is the cost of acknowledging a message durably.
#
#   scripts/bench-ingest.sh [OUTPUT]      (default: print the table only)
#
# Environment:
#   BENCH_RUNS          runs of each (default 5)
#   BENCH_DURATION      each load's length (default 10s)
#   BENCH_CONCURRENCY   closed-loop workers (default 128)
#   BENCH_BIN           a waybill binary to measure instead of building this tree
#                       (to compare two commits back to back with one script)
#
# Besides req/s it reports the server's CPU per acknowledged message
# (user+system from /proc/PID/stat over the load, divided by requests
# answered): on a shared machine that figure moves far less than req/s.
#
# Needs go, curl and jq. Everything runs on loopback.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-}
runs=${BENCH_RUNS:-5}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-128}
command_line="BENCH_RUNS=$runs BENCH_DURATION=$duration BENCH_CONCURRENCY=$concurrency scripts/bench-ingest.sh${*:+ $*}"

for tool in go curl jq; do
	command -v "$tool" >/dev/null || { echo "bench-ingest: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=""
bench_name=bench-ingest
# shellcheck source=scripts/lib/bench.sh
. scripts/lib/bench.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${BENCH_BIN:-} ]]; then
	cp "$BENCH_BIN" "$tmp/waybill"
else
	echo "bench-ingest: building" >&2
	go build -o "$tmp/waybill" ./cmd/waybill
fi
clk_tck=$(getconf CLK_TCK)
key="wb_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
run_id=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The same three-line sale as bench-onport.sh; {{n}} makes each externalId new.
body() {
	printf '{"externalId":"%s-{{n}}","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]},{"externalId":"L3","name":"Cap","quantity":3,"price":12,"properties":[{"key":"vendor","value":"vendor-a"}]}],"shipping":[{"code":"std","name":"Standard","price":4}]}' "$1"
}

# load NAME URL HEADERS...: one closed-loop load; its JSON in $tmp/NAME.json, req/s on stdout.
load() {
	local name=$1 url=$2
	shift 2
	"$tmp/waybill" bench http --duration "$duration" --json --url "$url" --method POST --expect 200 \
		--header 'Content-Type: application/json' --concurrency "$concurrency" --body-template "$(body "$run_id-$name")" "$@" \
		>"$tmp/$name.json"
	jq -r '.req_per_s | floor' "$tmp/$name.json"
}

rows=""
for i in $(seq "$runs"); do
	settle
	mkdir -p "$tmp/db$i"
	rm -f "$tmp/addr"
	WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" WAYBILL_DATABASE_URL="sqlite:$tmp/db$i/waybill.db" \
		WAYBILL_BOOTSTRAP_API_KEY="$key" WAYBILL_RATE_LIMIT_SCALE=0 WAYBILL_LOG_LEVEL=warn WAYBILL_INBOUND_WORKERS=0 \
		"$tmp/waybill" serve 2>>"$tmp/serve.log" &
	pid=$!
	wait_ready "$tmp/addr" /readyz || { cat "$tmp/serve.log" >&2; exit 1; }
	hash=$(curl -fsS -X POST "$base/v1/channels" -H "as-api-key: $key" -d '{"name":"bench"}' | jq -r .webhook_hash)
	cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	ingest=$(load "ingest-$i" "$base/webhooks/custom-channels/manual-sale.json" --header "jetti-webhook-hash: $hash")
	cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	errors=$(jq -r .errors "$tmp/ingest-$i.json")
	cpu_us=$(jq -n --argjson t "$((cpu_after - cpu_before))" --argjson hz "$clk_tck" --argjson n "$(jq .requests "$tmp/ingest-$i.json")" \
		'$t / $hz * 1e6 / $n | round')
	stop_server

	settle
	rm -f "$tmp/addr"
	"$tmp/waybill" bench baseline --addr 127.0.0.1:0 --addr-file "$tmp/addr" 2>>"$tmp/baseline.log" &
	pid=$!
	wait_ready "$tmp/addr" /
	bare=$(load "bare-$i" "$base/webhooks/custom-channels/manual-sale.json")
	stop_server

	ratio=$(jq -n --argjson a "$ingest" --argjson b "$bare" '$a / $b * 100 | round / 100')
	echo "bench-ingest: run $i: ingestion $ingest req/s ($errors errors, $cpu_us µs CPU each), bare $bare req/s: ${ratio}×" >&2
	rows+="| $i | $ingest | $errors | $cpu_us | $bare | ${ratio}× | $(cut -d' ' -f1 /proc/loadavg) |"$'\n'
done

table="| run | SQLite ingestion (req/s) | errors | server CPU (µs/req) | bare net/http (req/s) | ratio | load average after |
|---:|---:|---:|---:|---:|---:|---:|
${rows%$'\n'}"
report="Measured $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load average before: $load_before.
Command: \`$command_line\`

$table"
if [[ -n $out ]]; then
	printf '%s\n' "$report" >"$out"
	echo "bench-ingest: wrote $out" >&2
fi
printf '%s\n' "$report"
