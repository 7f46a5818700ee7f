#!/bin/sh
# Measures Onport's asynchronous manual-sale endpoint: accepted requests a
# second with a durable commit (SQLite synchronous=FULL, group commit), and
# latency percentiles, closed loop and then open loop at a fixed rate.
#
#   scripts/bench-onport.sh                 # a fresh server process, SQLite
#   ENGINE=postgres WAYBILL_TEST_POSTGRES_URL=postgres://... scripts/bench-onport.sh
#   NO_PROCESSING=1 scripts/bench-onport.sh # ingestion alone (no workers)
#   URL=http://127.0.0.1:8080 HASH=<channel webhook hash> scripts/bench-onport.sh
#                                           # a running `waybill serve` instead
#
# DURATION (10s), RATE (5000) and CONCURRENCY (128) tune the run. The load
# generator runs on the same machine: on a small machine it takes a large
# share of the CPU, so read the figures as a lower bound.
set -eu
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
RATE=${RATE:-5000}
CONCURRENCY=${CONCURRENCY:-128}

if [ -n "${URL:-}" ]; then
	: "${HASH:?set HASH to the channel's webhook hash (POST /v1/channels)}"
	body='{"externalId":"bench-{{n}}","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]}],"shipping":[{"code":"std","name":"Standard","price":4}]}'
	run="$(date +%s)"
	go run ./cmd/waybill bench http --url "$URL/webhooks/custom-channels/manual-sale.json" --method POST \
		--header "jetti-webhook-hash: $HASH" --header 'Content-Type: application/json' --expect 200 \
		--concurrency "$CONCURRENCY" --duration "$DURATION" --body-template "$(echo "$body" | sed "s/bench-/bench-$run-c-/")"
	go run ./cmd/waybill bench http --url "$URL/webhooks/custom-channels/manual-sale.json" --method POST \
		--header "jetti-webhook-hash: $HASH" --header 'Content-Type: application/json' --expect 200 \
		--concurrency 4096 --rate "$RATE" --duration "$DURATION" --body-template "$(echo "$body" | sed "s/bench-/bench-$run-o-/")"
	exit 0
fi

WAYBILL_BENCH_ONPORT=1 WAYBILL_BENCH_ENGINE="${ENGINE:-sqlite}" WAYBILL_BENCH_DURATION="$DURATION" \
WAYBILL_BENCH_RATE="$RATE" WAYBILL_BENCH_CONCURRENCY="$CONCURRENCY" \
WAYBILL_BENCH_NO_PROCESSING="${NO_PROCESSING:-}" \
	go test -count=1 -run '^TestOnportLoad$' -v ./cmd/waybill/ | grep -E '^onport|FAIL|errors'
