#!/usr/bin/env bash
# A UPS parcel Delivered by polling alone: an organization's own UPS connection, a tracking created
# without checkpoints, and the carrier's scans until the recipient signs.
#
# Needs a running `waybill serve` at WAYBILL_URL with WAYBILL_SECRET_KEY set and
# WAYBILL_CARRIER_UPS_URL pointing at the fake UPS (internal/carrier/ups/upsfake, which advances a
# number one scan per poll; TestExamples runs it, with WAYBILL_POLL_SCALE=0.0003), and the waybill
# command on the server's database. README: "Carrier connections".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own, with its UPS credentials.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "ups", "credentials": {"client_id": "fake-ups-client", "client_secret": "fake-ups-secret"}}' \
  -o /dev/null -w 'HTTP %{http_code}\n'

# A tracking without checkpoints; nothing else is sent to Waybill after this.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"slug": "ups", "tracking_number": "1Z12345E6605272234"}}' -o /dev/null -w 'HTTP %{http_code}\n'

# Wait (up to a minute) until the polls reach Delivered.
for _ in $(seq 300); do curl -s "$WAYBILL_URL/v4/trackings/ups/1Z12345E6605272234?fields=tag,subtag,signed_by" -H "aftership-api-key: $KEY" -o delivered.json; grep -q '"tag":"Delivered"' delivered.json && break; sleep 0.2; done
grep -o '"tag":"[A-Za-z]*"\|"subtag":"[A-Za-z_0-9]*"\|"signed_by":"[^"]*"' delivered.json
check delivered.json '"tag":"Delivered"' '"signed_by":"J. RECIPIENT"'
