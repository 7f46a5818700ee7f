#!/usr/bin/env bash
# Onport channels, asynchronous imports and API logs: a channel with a fulfillment webhook, listed,
# read and changed; sales sent to the asynchronous endpoint (accepted once committed, refused only
# for an unknown hash or an unreadable body); and the API logs of their outcomes, filtered.
#
# Needs a running `waybill serve` at WAYBILL_URL (with WAYBILL_WEBHOOK_ALLOW_PRIVATE=true for a
# loopback fulfillment URL), RECEIVER_URL (any URL; nothing is sent to it here) and the waybill
# command on the server's database (for the organization). README: "Onport".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
: "${RECEIVER_URL:=http://127.0.0.1:9}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# A custom channel with a fulfillment webhook; its hash authenticates the asynchronous endpoints.
curl -s -X POST "$WAYBILL_URL/v1/channels" -H "as-api-key: $KEY" \
  -d "{\"name\": \"My shop\", \"fulfillment_url\": \"$RECEIVER_URL/$ORG/fulfillments\"}" -w 'HTTP %{http_code}\n' | tee channel.json
check channel.json 'HTTP 201' '"name":"My shop"' '"webhook_hash":"' '"fulfillment_url":"'
CHANNEL=$(grep -o '"id":[0-9]*' channel.json | head -1 | cut -d: -f2)
HASH=$(grep -o '"webhook_hash":"[^"]*"' channel.json | cut -d'"' -f4)

# All channels, one channel, and a change: an empty fulfillment_url removes the webhook.
curl -s "$WAYBILL_URL/v1/channels" -H "as-api-key: $KEY" | tee channels.json
check channels.json '"name":"My shop"'
curl -s "$WAYBILL_URL/v1/channels/$CHANNEL" -H "as-api-key: $KEY" | tee one.json
check one.json "\"id\":$CHANNEL" '"fulfillment_url":"'
curl -s -X PATCH "$WAYBILL_URL/v1/channels/$CHANNEL" -H "as-api-key: $KEY" -d '{"fulfillment_url": ""}' \
  -w 'HTTP %{http_code}\n' | tee patched.json
check patched.json 'HTTP 200' '"name":"My shop"'

# Asynchronous imports: the synchronous API's bodies; 200 once the message is committed.
SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s -X POST "$WAYBILL_URL/webhooks/custom-channels/manual-sale.json" \
  -H 'Content-Type: application/json' -H "jetti-webhook-hash: $HASH" \
  -d '{"externalId": "S1", "lineItems": [{"externalId": "L1", "name": "Blue shoes", "quantity": 1, "price": 80}]}' \
  -w 'HTTP %{http_code}\n' | tee accepted.json
check accepted.json 'HTTP 200' '"status":"accepted"'

# Validation happens in the workers, so a sale with a bad line is accepted too, and fails there.
curl -s -X POST "$WAYBILL_URL/webhooks/custom-channels/manual-sale.json" \
  -H 'Content-Type: application/json' -H "jetti-webhook-hash: $HASH" \
  -d '{"externalId": "S9", "lineItems": [{"externalId": "L1", "name": "Blue shoes", "quantity": 0, "price": 80}]}' \
  -w 'HTTP %{http_code}\n' | tee accepted-bad.json
check accepted-bad.json 'HTTP 200' '"status":"accepted"'

# Refused at once: an unknown hash (401), and a body that cannot be stored as sent (400), here a
# JSON string holding a NUL.
curl -s -X POST "$WAYBILL_URL/webhooks/custom-channels/manual-sale.json" \
  -H 'Content-Type: application/json' -H 'jetti-webhook-hash: not-a-hash' -d '{"externalId": "S2"}' -w 'HTTP %{http_code}\n' | tee unknown.json
check unknown.json 'HTTP 401'
curl -s -X POST "$WAYBILL_URL/webhooks/custom-channels/manual-sale.json" \
  -H 'Content-Type: application/json' -H "jetti-webhook-hash: $HASH" -d '{"externalId": "S\u0000"}' -w 'HTTP %{http_code}\n' | tee refused.json
check refused.json 'HTTP 400' 'control character'

# API logs: every message and its outcome. Wait (up to 30 s) until both are processed.
for _ in $(seq 150); do curl -s "$WAYBILL_URL/v1/api-logs?channel=$CHANNEL&status=pending" -H "as-api-key: $KEY" > pending.json; grep -q '"logs":\[\]' pending.json && break; sleep 0.2; done
curl -s "$WAYBILL_URL/v1/api-logs?status=done&channel=$CHANNEL" -H "as-api-key: $KEY" | tee done.json
check done.json '"external_id":"S1"' '"status":"done"' '"sale_id":'

# The failed one, with its validation errors: status, channel and arrival time filtered.
curl -s "$WAYBILL_URL/v1/api-logs?status=failed&channel=$CHANNEL&since=$SINCE" -H "as-api-key: $KEY" | tee failed.json
check failed.json '"external_id":"S9"' '"status":"failed"' 'quantity'
