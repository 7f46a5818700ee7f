#!/usr/bin/env bash
# Measures webhook delivery: deliveries per second to a local receiver across
# 100 endpoints (10 organizations x 10), and the latency from a checkpoint
# push to the first delivery attempt of the event it caused, on SQLite and on
# PostgreSQL. Waybill runs as a separate process; the receiver is in the
# `waybill bench webhooks` process. Writes a Markdown report to $1.
#
#   scripts/bench-webhooks.sh [docs/benchmarks/webhooks.md]
#
# Env: BENCH_RATE (pushes/s, default 50), BENCH_DURATION (default 10s),
# WAYBILL_BENCH_POSTGRES_URL (default the local test database),
# BENCH_PROFILE_DIR (when set, a CPU profile of each engine's server during
# the pushes is written there as webhooks-ENGINE.pprof, through
# WAYBILL_PPROF_ADDR). WAYBILL_WEBHOOK_WORKERS and other WAYBILL_* settings
# reach the server.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/benchmarks/webhooks.md}"
rate="${BENCH_RATE:-50}"
duration="${BENCH_DURATION:-10s}"
pg="${WAYBILL_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
tmp="$(mktemp -d)"
schema="wbbench_$$"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/waybill" ./cmd/waybill
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for engine in sqlite postgres; do
  if [ "$engine" = sqlite ]; then
    db="sqlite:$tmp/bench.db"
  else
    psql "$pg" -qc "CREATE SCHEMA $schema" >/dev/null
    sep='?'; case "$pg" in *\?*) sep='&';; esac
    db="${pg}${sep}search_path=$schema"
  fi
  export WAYBILL_DATABASE_URL="$db" WAYBILL_WEBHOOK_ALLOW_PRIVATE=true WAYBILL_LOG_LEVEL=warn
  pprof=""
  if [ -n "${BENCH_PROFILE_DIR:-}" ]; then
    mkdir -p "$BENCH_PROFILE_DIR"
    pprof="127.0.0.1:${BENCH_PPROF_PORT:-16060}"
  fi
  WAYBILL_PPROF_ADDR="$pprof" WAYBILL_ADDR=127.0.0.1:0 WAYBILL_ADDR_FILE="$tmp/addr" "$tmp/waybill" serve 2>"$tmp/serve-$engine.log" &
  pid=$!
  for _ in $(seq 1 200); do [ -s "$tmp/addr" ] && curl -sf "http://$(cat "$tmp/addr")/readyz" >/dev/null && break; sleep 0.05; done
  url="http://$(cat "$tmp/addr")"
  keys=""
  for i in $(seq 1 10); do
    key=$("$tmp/waybill" org create "bench-$engine-$i" | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
    keys="$keys${keys:+,}$key"
  done
  profiler=""
  if [ -n "$pprof" ]; then
    secs=$(( ${duration%s} + 5 )) # the pushes and the first seconds of the drain
    curl -sf -o "$BENCH_PROFILE_DIR/webhooks-$engine.pprof" "http://$pprof/debug/pprof/profile?seconds=$secs" &
    profiler=$!
  fi
  result=$("$tmp/waybill" bench webhooks --url "$url" --keys "$keys" --rate "$rate" --duration "$duration" --json)
  [ -n "$profiler" ] && wait "$profiler"
  echo "$engine: $result"
  rows+=("$(printf '%s' "$result" | python3 -c '
import json, sys
r, e = json.load(sys.stdin), sys.argv[1]
print("| %s | %d | %d | %d/%d | %.0f | %.1f | %.1f | %d |" % (e, r["endpoints"], r["events"], r["deliveries_received"],
      r["deliveries_expected"], r["deliveries_per_second"], r["first_delivery_p50_ms"], r["first_delivery_p99_ms"], r["events_missing"]))' "$engine")")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; rm -f "$tmp/addr"
done

{
  echo "# Webhook delivery: throughput and push-to-delivery latency"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
  echo "- Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
  echo "- Command: \`BENCH_RATE=$rate BENCH_DURATION=$duration scripts/bench-webhooks.sh\`"
  echo "- 10 organizations x 10 endpoints on one loopback receiver; $rate checkpoint pushes/s for $duration, each changing"
  echo "  one tracking's tag (one tracking_update event, delivered to the 10 endpoints of its organization)."
  echo
  echo "| engine | endpoints | events | deliveries | deliveries/s | push to first delivery p50 (ms) | p99 (ms) | events missing |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Deliveries/s is deliveries received over the time from the first push to the last delivery."
  echo "The latency runs from just before the push request is sent to the first delivery of its event"
  echo "reaching the receiver: commit, queue pick-up (River polls every 100 ms), signing and the POST."
} > "$out"
echo "wrote $out"
