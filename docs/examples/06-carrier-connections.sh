#!/usr/bin/env bash
# Carrier connections: an organization's own UPS, FedEx, USPS and DHL credentials, checked with
# the carrier before they are stored and never shown again, and a UPS parcel then polled.
#
# Needs a running `waybill serve` at WAYBILL_URL with WAYBILL_SECRET_KEY set and
# WAYBILL_CARRIER_UPS_URL, …_FEDEX_URL, …_USPS_URL and …_DHL_URL pointing at the carriers'
# fakes (internal/carrier/*/…fake; TestExamples runs them, with WAYBILL_POLL_SCALE=0.0003), and
# the waybill command on the server's database. README: "Carrier connections".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# check_not FILE TEXT: stop if FILE holds TEXT.
check_not() { if grep -qF -- "$2" "$1"; then printf 'check: %s holds %s\n' "$1" "$2" >&2; exit 1; fi; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# A wrong secret is refused with the carrier's own reason.
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "ups", "credentials": {"client_id": "fake-ups-client", "client_secret": "not-my-secret"}}' | tee refused.json
check refused.json '"code":4008' 'The carrier refused these credentials'

# Good credentials are stored sealed; responses name the keys with a fixed mask.
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "ups", "credentials": {"client_id": "fake-ups-client", "client_secret": "fake-ups-secret", "account_number": "A1B2C3"}}' | tee ups.json
check ups.json '"code":201' '"client_secret":"********"'
check_not ups.json 'fake-ups-secret'
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "fedex", "credentials": {"client_id": "fake-fedex-api-key", "client_secret": "fake-fedex-secret-key"}}' | tee fedex.json
check fedex.json '"code":201'
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "usps", "credentials": {"client_id": "fake-usps-client", "client_secret": "fake-usps-secret"}}' | tee usps.json
check usps.json '"code":201'
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "dhl", "credentials": {"api_key": "fake-dhl-api-key"}}' | tee dhl.json
check dhl.json '"code":201'
# The 2026-07 API answers 5 requests a second per organization (429 beyond): pause before the sixth.
sleep 1
curl -s "$WAYBILL_URL/tracking/2026-07/courier-connections" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"courier_slug": "dhl", "credentials": {"client_id": "x"}}' | tee missing.json
check missing.json '"code":4009' 'credentials.api_key is required for dhl'

# A UPS tracking is then polled with the organization's connection: a new tracking at once.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784"}}' -o /dev/null -w 'HTTP %{http_code}\n'
for _ in $(seq 150); do curl -s "$WAYBILL_URL/v4/trackings/ups/1Z999AA10123456784?fields=tag,subtag,checkpoints" -H "aftership-api-key: $KEY" -o polled.json; grep -q '"tag":"Pending"' polled.json || break; sleep 0.2; done
grep -o '"tag":"[A-Za-z]*"\|"message":"[^"]*"' polled.json
check_not polled.json '"tag":"Pending"'
