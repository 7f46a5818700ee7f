#!/usr/bin/env bash
# The Tracker API: a provider and a pickup location on the admin face, a tracker created with its
# order context, the vendor's errors, a status webhook, the sandbox parcel delivered, a group
# listed and cancelled, and the same trackings on the AfterShip face.
#
# Needs a running `waybill serve` at WAYBILL_URL (WAYBILL_SANDBOX_STEP=1s makes the journey take
# seconds), the waybill command on the server's database, and RECEIVER_URL as in
# 02-webhooks.sh. README: "Tracker API (LynkUp / Delivery Solutions trackers)".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}" "${RECEIVER_URL:?RECEIVER_URL: where webhooks go}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own; tenantId is its name (or id).
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# The business's provider (the name clients send, the courier Waybill follows it with) and pickup location.
curl -s "$WAYBILL_URL/v1/providers" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"name": "Self Delivery", "slug": "sandbox", "service_type": "Delivery"}' -w 'HTTP %{http_code}\n' | tee provider.json
check provider.json 'HTTP 201' '"service_id":"delivery"'
curl -s "$WAYBILL_URL/v1/locations" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"external_id": "Self Delivery Store", "name": "Houston store", "address": {"street1": "8849 North Sam Houston Parkway West", "city": "Houston", "state": "TX", "countryCode": "US", "postalCode": "77064"}, "contact": {"name": "Peter Brown", "phone": "+12142342232"}, "time_zone": "America/Chicago", "pickup_instructions": "Ring at the back door"}' \
  -w 'HTTP %{http_code}\n' | tee location.json
check location.json 'HTTP 201'

# Status changes go to endpoints registered with api_version "tracker".
curl -s "$WAYBILL_URL/v1/webhooks" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d "{\"url\": \"$RECEIVER_URL/$ORG/tracker\", \"api_version\": \"tracker\"}" -w 'HTTP %{http_code}\n' | tee endpoint.json
check endpoint.json 'HTTP 201' '"events":["tracker.status_changed"]'

# A tracker: the order's context, the links back. Warnings say what was read differently.
curl -s "$WAYBILL_URL/api/v2/tracker" -H "x-api-key: $KEY" -H "tenantId: $ORG" -H 'Content-Type: application/json' \
  -d '{"provider": "Self Delivery", "locationExternalId": "Self Delivery Store", "trackerExternalId": "tracker001", "trackingId": "SBXDELIVERED001", "type": "delivery", "groupId": "order-1001", "orderValue": 100, "deliveryTime": {"endsAt": 4102444800000}, "deliveryContact": {"name": "Mei Wan", "phone": "+12322322323", "email": "mei@example.com"}, "deliveryAddress": {"street1": "8849 North Sam Houston Parkway West", "city": "Houston", "state": "TX", "countryCode": "United States", "postalCode": "77064"}, "barcodes": ["12312351", "12312351"]}' \
  -w 'HTTP %{http_code}\n' | tee tracker.json
check tracker.json 'HTTP 201' '"status":"ORDER_DISPATCHED"' '"trackingUrl":"' '"COUNTRY_NORMALIZED"' '"DUPLICATE_BARCODES_DROPPED"'

# Errors are the vendor's: one entry per missing field (400), invalid values (422), 401.
curl -s "$WAYBILL_URL/api/v2/tracker" -H "x-api-key: $KEY" -H "tenantId: $ORG" -H 'Content-Type: application/json' \
  -d '{"type": "delivery", "trackingId": "SBXDELIVERED002"}' -w 'HTTP %{http_code}\n' | tee missing.json
check missing.json 'HTTP 400' '"type":"MISSING_TRACKER_DATA"' '"field":"provider"'
curl -s "$WAYBILL_URL/api/v2/tracker" -H "x-api-key: $KEY" -H "tenantId: $ORG" -H 'Content-Type: application/json' \
  -d '{"provider": "Postmates", "locationExternalId": "Self Delivery Store", "trackerExternalId": "tracker002", "trackingId": "SBXATTEMPTFAIL002", "type": "pickup"}' \
  -w 'HTTP %{http_code}\n' | tee invalid.json
check invalid.json 'HTTP 422' '"type":"INVALID_TRACKER_DATA"'
curl -s "$WAYBILL_URL/api/v2/tracker/tracker001" -H "x-api-key: $KEY" -H 'tenantId: someone-else' -w 'HTTP %{http_code}\n' | tee other.json
check other.json 'HTTP 401' '"type":"UNAUTHORIZED"'

# The sandbox parcel moves one scan a WAYBILL_SANDBOX_STEP; delivered, the tracker says so.
for _ in $(seq 150); do curl -s "$WAYBILL_URL/api/v2/tracker/tracker001" -H "x-api-key: $KEY" -H "tenantId: $ORG" -o now.json; grep -q '"status":"ORDER_DELIVERED"' now.json && break; sleep 0.2; done
grep -o '"status":"[A-Z_]*"\|"referenceLinks":{[^}]*}' now.json
check now.json '"status":"ORDER_DELIVERED"'

# The webhook receiver got each status change (the first one shown, fields picked).
for _ in $(seq 150); do curl -sf "$RECEIVER_URL/$ORG/tracker?n=1" -o hook.json && break; sleep 0.2; done
grep -o '"event":"[^"]*"\|"previousStatus":"[^"]*"\|"status":"[^"]*"' hook.json
check hook.json '"event":"tracker.status_changed"'

# A second tracker of the group (a pickup, so no delivery address) shares the group's page; list the group, cancel it.
curl -s "$WAYBILL_URL/api/v2/tracker" -H "x-api-key: $KEY" -H "tenantId: $ORG" -H 'Content-Type: application/json' \
  -d '{"provider": "Self Delivery", "locationExternalId": "Self Delivery Store", "trackerExternalId": "tracker002", "trackingId": "SBXATTEMPTFAIL002", "type": "pickup", "groupId": "order-1001"}' \
  -o /dev/null -w 'HTTP %{http_code}\n'
curl -s "$WAYBILL_URL/api/v2/tracker?groupId=order-1001" -H "x-api-key: $KEY" -H "tenantId: $ORG" \
  | grep -o '"total":[0-9]*\|"trackerExternalId":"[^"]*"\|"trackingUrl":"[^"]*"' | tee group.txt
check group.txt '"total":2' '"trackerExternalId":"tracker002"'
curl -s -X DELETE "$WAYBILL_URL/api/v2/tracker/tracker002" -H "x-api-key: $KEY" -H "tenantId: $ORG" | grep -o '"status":"[A-Z_]*"' | tee cancelled.txt
check cancelled.txt '"status":"ORDER_CANCELLED"'
curl -s -X DELETE "$WAYBILL_URL/api/v2/tracker/tracker002" -H "x-api-key: $KEY" -H "tenantId: $ORG" -w 'HTTP %{http_code}\n' | tee again.json
check again.json 'HTTP 422' '"type":"ORDER_ALREADY_CANCELLED"'

# The same trackings, with their order fields, through the AfterShip face.
curl -s "$WAYBILL_URL/v4/trackings?order_id=order-1001&fields=tracking_number,tag,order_number,source" -H "aftership-api-key: $KEY" \
  | grep -o '"order_number":"[^"]*"\|"source":"[^"]*"\|"tag":"[^"]*"\|"tracking_number":"[^"]*"' | tee aftership.txt
check aftership.txt '"source":"tracker"' '"tracking_number":"SBXDELIVERED001"' '"tag":"Delivered"'
