#!/usr/bin/env bash
# The sandbox courier and expected delivery: a sandbox parcel followed to Delivered, the
# carrier's estimate on the dated API, the events it wrote, a delivery date predicted before
# shipping, and a tracking_pending_time endpoint.
#
# Needs a running `waybill serve` at WAYBILL_URL (WAYBILL_SANDBOX_STEP=1s makes the journey take
# seconds) and the waybill command on the server's database. README: "The sandbox courier",
# "Expected delivery: the carrier's estimate, predictions, pending time".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# A sandbox number: the courier is detected, and one scan comes each WAYBILL_SANDBOX_STEP.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"tracking_number": "SBXDELIVERED0001"}}' -o created.json -w 'HTTP %{http_code}\n'
ID=$(grep -o '"id":"[^"]*"' created.json | head -1 | cut -d'"' -f4)
grep -o '"slug":"[^"]*"' created.json | head -1
for _ in $(seq 150); do curl -s "$WAYBILL_URL/v4/trackings/$ID?fields=tag,subtag,signed_by" -H "aftership-api-key: $KEY" -o now.json; grep -q '"tag":"Delivered"' now.json && break; sleep 0.2; done
cat now.json
check now.json '"tag":"Delivered"' '"subtag":"Delivered_003"'

# The carrier's estimate, on the dated API (fields picked from the answer).
curl -s "$WAYBILL_URL/tracking/2026-07/trackings/$ID" -H "as-api-key: $KEY" \
  | grep -o '"courier_estimated_delivery_date":{[^}]*}\|"first_estimated_delivery":{[^}]*}\|"latest_estimated_delivery":{[^}]*}' | tee edd.txt
check edd.txt '"source":"Carrier EDD"'

# Every tag change wrote a tracking_update event, every changed estimate an edd_revise.
curl -s "$WAYBILL_URL/v1/events" -H "as-api-key: $KEY" | grep -o '"event":"[a-z_]*"' | sort | uniq -c | tee events.txt
check events.txt '"event":"tracking_update"' '"event":"edd_revise"'

# Before shipping, with nothing delivered yet: the custom-EDD rule. Friday 19:30 is past the
# cut-off, so Monday is the order's day and Tuesday, after one processing day, the pickup.
curl -s "$WAYBILL_URL/tracking/2026-07/estimated-delivery-date/predict" -H "as-api-key: $KEY" \
  -H 'Content-Type: application/json' -d '{
  "slug": "ups", "service_type_name": "UPS Ground",
  "origin_address": {"country_region": "USA", "state": "WA", "postal_code": "98108"},
  "destination_address": {"country_region": "USA", "state": "CA", "postal_code": "92019"},
  "estimated_pickup": {"order_time": "2026-12-04 19:30:00", "order_processing_time": {"unit": "day", "value": 1}}}' \
  | grep -o '"pickup_time":"[^"]*"\|"estimated_delivery_date[a-z_]*":"[^"]*"\|"prediction":{[^}]*}' | tee predicted.txt
check predicted.txt '"pickup_time":"2026-12-08 18:00:00"' '"estimated_delivery_date":"2026-12-15"' '"source":"custom_edd"'

# One invalid item refuses the whole call, naming it.
curl -s "$WAYBILL_URL/tracking/2026-07/estimated-delivery-date/predict-batch" -H "as-api-key: $KEY" \
  -H 'Content-Type: application/json' -d '{"estimated_delivery_dates": [
  {"slug": "ups", "origin_address": {"country_region": "USA"}, "destination_address": {"country_region": "USA"}, "pickup_time": "2026-12-07 16:00:00"},
  {"slug": "ups", "origin_address": {"country_region": "XX"}, "destination_address": {"country_region": "USA"}, "pickup_time": "2026-12-07 16:00:00"}]}' \
  -w 'HTTP %{http_code}\n' | tee refused.json
check refused.json 'HTTP 400' '"code":4008' 'estimated_delivery_dates[1].origin_address.country_region'

# tracking_pending_time: an endpoint's own threshold, 1 to 720 hours.
curl -s "$WAYBILL_URL/v1/webhooks" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"url": "https://hooks.example.com/waybill", "events": ["tracking_update", "tracking_pending_time"], "pending_hours": 48, "api_version": "2026-07"}' \
  | tee pending.json
check pending.json '"pending_hours":48' '"events":["tracking_pending_time","tracking_update"]'
curl -s "$WAYBILL_URL/v1/webhooks" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"url": "https://hooks.example.com/waybill", "events": ["tracking_pending_time"], "pending_hours": 1000}' -w 'HTTP %{http_code}\n' | tee too-long.json
check too-long.json 'HTTP 400' 'pending_hours must be 1 to 720.'
