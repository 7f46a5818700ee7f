#!/usr/bin/env bash
# Predicting delivery dates from history: 24 UPS Ground parcels USA→USA delivered in 2 to 4 days
# (pushed with /v1/checkpoints, then given their lane and service with a v4 PUT), after which
# predict-batch answers the lane from its history and Canada, which has none, by the custom-EDD rule.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's database
# (for the organization). README: "Expected delivery".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# 24 past deliveries: picked up on Monday 1 June at 17:00 (New York), delivered 2, 3, 3, 3 or 4 days
# later. Each push creates its tracking (201).
DAYS=(2 3 3 3 4)
for i in $(seq 24); do \
  curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -H 'Content-Type: application/json' -o /dev/null -w '%{http_code}\n' \
    -d "{\"slug\": \"ups\", \"tracking_number\": \"EDDUPSGROUND$i\", \"checkpoints\": [ \
      {\"checkpoint_time\": \"2026-06-01T17:00:00-04:00\", \"message\": \"Picked up\", \"tag\": \"InTransit\", \"subtag\": \"InTransit_002\"}, \
      {\"checkpoint_time\": \"2026-06-0$((1 + DAYS[i % 5]))T11:00:00-04:00\", \"message\": \"Delivered\", \"tag\": \"Delivered\", \"subtag\": \"Delivered_001\"}]}"; \
  done | sort | uniq -c | tee pushed.txt
check pushed.txt '24 201'

# Each gets its lane (USA→USA) and service. v4 answers 10 requests a second: a pause after each.
for i in $(seq 24); do \
  curl -s -X PUT "$WAYBILL_URL/v4/trackings/ups/EDDUPSGROUND$i" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
    -d '{"tracking": {"origin_country_iso3": "USA", "destination_country_iso3": "USA", "shipment_type": "UPS Ground"}}' \
    -o /dev/null -w '%{http_code}\n'; sleep 0.1; \
  done | sort | uniq -c | tee updated.txt
check updated.txt '24 200'

# The lane has history, Canada does not: the first item is the median and 10th–90th percentile of
# the 24, the second the custom-EDD rule (5 to 12 business days abroad after the pickup).
curl -s "$WAYBILL_URL/tracking/2026-07/estimated-delivery-date/predict-batch" -H "as-api-key: $KEY" \
  -H 'Content-Type: application/json' -d '{"estimated_delivery_dates": [
  {"slug": "ups", "service_type_name": "UPS Ground", "origin_address": {"country_region": "USA"},
   "destination_address": {"country_region": "USA"}, "pickup_time": "2026-12-07 16:00:00"},
  {"slug": "ups", "service_type_name": "UPS Ground", "origin_address": {"country_region": "USA"},
   "destination_address": {"country_region": "CAN"}, "pickup_time": "2026-12-07 16:00:00"}]}' \
  | grep -o '"destination_address":{[^}]*}\|"estimated_delivery_date[a-z_]*":"[^"]*"\|"prediction":{[^}]*}' | tee predicted.txt
check predicted.txt '"estimated_delivery_date":"2026-12-10"' '"estimated_delivery_date_min":"2026-12-09"' \
  '"estimated_delivery_date_max":"2026-12-11"' '"source":"history","basis":"courier_service_lane","sample_size":24' \
  '"estimated_delivery_date":"2026-12-23"' '"source":"custom_edd"'
