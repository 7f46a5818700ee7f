#!/usr/bin/env bash
# Checkpoints in, webhooks out: a webhook endpoint, a checkpoint pushed for a new tracking, the
# delivery at the receiver, and both of its signatures checked with openssl.
#
# Needs a running `waybill serve` at WAYBILL_URL that may deliver to RECEIVER_URL
# (WAYBILL_WEBHOOK_ALLOW_PRIVATE=true for a receiver on this machine), and the waybill command
# on the server's database. RECEIVER_URL is an HTTP server that answers 2xx and gives back what
# it received: GET PATH?n=1 is the first body POSTed to PATH, GET PATH?n=1&headers=1 its headers
# (TestExamples runs one). README: "Tracking lifecycle: checkpoints in, webhooks out".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}" "${RECEIVER_URL:?RECEIVER_URL: where webhooks go}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# A webhook endpoint for tracking updates; its secret is shown only now.
curl -s "$WAYBILL_URL/v1/webhooks" -H "as-api-key: $KEY" \
  -d "{\"url\": \"$RECEIVER_URL/$ORG/hooks\", \"events\": [\"tracking_update\"]}" -w 'HTTP %{http_code}\n' | tee endpoint.json
check endpoint.json 'HTTP 201' '"secret":"whsec_' '"enabled":true'
SECRET=$(grep -o '"secret":"[^"]*"' endpoint.json | cut -d'"' -f4)
ENDPOINT=$(grep -o '"id":"[^"]*"' endpoint.json | cut -d'"' -f4)

# Push a checkpoint: the unknown tracking is created on the fly, its tag changes, an event is written.
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -H 'Content-Type: application/json' -d '{
  "slug": "dhl", "tracking_number": "PUSH0001",
  "checkpoints": [{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Picked up", "city": "Leipzig",
                   "country_region": "DE", "raw_tag": "PU"}]}' -w 'HTTP %{http_code}\n' | tee pushed.json
check pushed.json 'HTTP 201' '"created":true' '"checkpoints_added":1' '"tag":"InTransit"'

# The same push again is safe: 200, nothing added.
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -H 'Content-Type: application/json' -d '{
  "slug": "dhl", "tracking_number": "PUSH0001",
  "checkpoints": [{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Picked up", "city": "Leipzig",
                   "country_region": "DE", "raw_tag": "PU"}]}' -w 'HTTP %{http_code}\n' | tee again.json
check again.json 'HTTP 200' '"created":false' '"checkpoints_added":0'

# The receiver has the delivery a moment later: AfterShip's v4 payload.
for _ in $(seq 150); do curl -sf "$RECEIVER_URL/$ORG/hooks?n=1" -o delivery.json && break; sleep 0.2; done
cat delivery.json; echo
check delivery.json '"event":"tracking_update"' '"tracking_number":"PUSH0001"' '"tag":"InTransit"'
curl -s "$RECEIVER_URL/$ORG/hooks?n=1&headers=1" | tr -d '\r' | grep -i -e '^aftership-hmac-sha256:' -e '^webhook-' | sort | tee headers.txt

# Check the signatures as a receiver does. aftership-hmac-sha256: base64 HMAC-SHA256 of the raw
# body, keyed with the secret as written.
SIG=$(openssl dgst -sha256 -hmac "$SECRET" -binary delivery.json | base64)
grep -i "^aftership-hmac-sha256: $SIG\$" headers.txt
# webhook-signature (Standard Webhooks): of "id.timestamp.body", keyed with the bytes the secret
# holds after whsec_ (base64).
MSG_ID=$(grep -i '^webhook-id:' headers.txt | cut -d' ' -f2)
TS=$(grep -i '^webhook-timestamp:' headers.txt | cut -d' ' -f2)
HEXKEY=$(printf %s "${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
SIG2=$({ printf '%s.%s.' "$MSG_ID" "$TS"; cat delivery.json; } | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$HEXKEY" -binary | base64)
grep -i "^webhook-signature: .*v1,$SIG2" headers.txt

# Every attempt is recorded; the events can be listed and delivered again.
curl -s "$WAYBILL_URL/v1/webhooks/$ENDPOINT/attempts" -H "as-api-key: $KEY" | tee attempts.json
check attempts.json '"status_code":200'
curl -s -X POST "$WAYBILL_URL/v1/events/$MSG_ID/replay" -H "as-api-key: $KEY" -w 'HTTP %{http_code}\n' | tee replay.json
for _ in $(seq 150); do curl -sf "$RECEIVER_URL/$ORG/hooks?n=2" -o replayed.json && break; sleep 0.2; done
cmp delivery.json replayed.json
