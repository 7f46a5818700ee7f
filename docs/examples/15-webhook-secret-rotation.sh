#!/usr/bin/env bash
# Webhook secret rotation: a new secret for an endpoint, and the next delivery signed so that an
# AfterShip-style receiver (one aftership-hmac-sha256 value) keeps verifying with the old secret
# while a Standard Webhooks receiver may already use the new one.
#
# Needs a running `waybill serve` at WAYBILL_URL that may deliver to RECEIVER_URL
# (WAYBILL_WEBHOOK_ALLOW_PRIVATE=true for a receiver on this machine), and the waybill command
# on the server's database. RECEIVER_URL gives back what it received (GET PATH?n=1, and
# GET PATH?n=1&headers=1 for its headers; TestExamples runs one). README: "Secret rotation".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}" "${RECEIVER_URL:?RECEIVER_URL: where webhooks go}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# check_not FILE TEXT: stop if FILE holds TEXT.
check_not() { if grep -qF -- "$2" "$1"; then printf 'check: %s holds %s\n' "$1" "$2" >&2; exit 1; fi; }
# ---

# An organization of its own, and a webhook endpoint; its first secret is shown only now.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s "$WAYBILL_URL/v1/webhooks" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d "{\"url\": \"$RECEIVER_URL/$ORG/hooks\", \"events\": [\"tracking_update\"]}" -o endpoint.json -w 'HTTP %{http_code}\n'
OLD_SECRET=$(grep -o '"secret":"[^"]*"' endpoint.json | cut -d'"' -f4)
ENDPOINT=$(grep -o '"id":"[^"]*"' endpoint.json | cut -d'"' -f4)

# Rotate: the answer holds the new secret; the old one keeps signing beside it for 24 hours.
curl -s -X POST "$WAYBILL_URL/v1/webhooks/$ENDPOINT/rotate-secret" -H "as-api-key: $KEY" -o rotated.json -w 'HTTP %{http_code}\n'
NEW_SECRET=$(grep -o '"secret":"[^"]*"' rotated.json | cut -d'"' -f4)
check rotated.json '"secret":"whsec_'
test "$NEW_SECRET" != "$OLD_SECRET"

# A checkpoint, so that a delivery goes out.
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -H 'Content-Type: application/json' -d '{
  "slug": "dhl", "tracking_number": "ROTATE0001",
  "checkpoints": [{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Picked up", "raw_tag": "PU"}]}' \
  -o /dev/null -w 'HTTP %{http_code}\n'
for _ in $(seq 150); do curl -sf "$RECEIVER_URL/$ORG/hooks?n=1" -o delivery.json && break; sleep 0.2; done
curl -s "$RECEIVER_URL/$ORG/hooks?n=1&headers=1" | tr -d '\r' | grep -i -e '^aftership-hmac-sha256:' -e '^webhook-' | sort > headers.txt

# aftership-hmac-sha256 holds one value: still the OLD secret's signature during the 24 hours.
SIG_OLD=$(openssl dgst -sha256 -hmac "$OLD_SECRET" -binary delivery.json | base64)
grep -i "^aftership-hmac-sha256: $SIG_OLD\$" headers.txt
SIG_NEW=$(openssl dgst -sha256 -hmac "$NEW_SECRET" -binary delivery.json | base64)
check_not headers.txt "$SIG_NEW"

# webhook-signature carries one v1 signature per active secret: of "id.timestamp.body", keyed with
# the bytes each secret holds after whsec_ (base64). Both verify.
MSG_ID=$(grep -i '^webhook-id:' headers.txt | cut -d' ' -f2)
TS=$(grep -i '^webhook-timestamp:' headers.txt | cut -d' ' -f2)
KEY_OLD=$(printf %s "${OLD_SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
KEY_NEW=$(printf %s "${NEW_SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
V1_OLD=$({ printf '%s.%s.' "$MSG_ID" "$TS"; cat delivery.json; } | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_OLD" -binary | base64)
V1_NEW=$({ printf '%s.%s.' "$MSG_ID" "$TS"; cat delivery.json; } | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_NEW" -binary | base64)
grep -io '^webhook-signature: .*' headers.txt
check headers.txt "v1,$V1_OLD" "v1,$V1_NEW"
