#!/usr/bin/env bash
# The Onport connector: Waybill as an Onport account's tracking integration. Waybill's own Onport
# face, under a second organization, stands in for the merchant's Onport account (api.jetti.io).
#
# Needs a running `waybill serve` at WAYBILL_URL with WAYBILL_SECRET_KEY set (and
# WAYBILL_WEBHOOK_ALLOW_PRIVATE=true, since the stand-in is on this machine), and the waybill
# command on the server's database. README: "Onport connector".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# check_not FILE TEXT: stop if FILE holds TEXT.
check_not() { if grep -qF -- "$2" "$1"; then printf 'check: %s holds %s\n' "$1" "$2" >&2; exit 1; fi; }
# ---

# The merchant's "Onport": an organization whose key is the Onport token, with a sale of two
# vendors, both purchases shipped with sandbox numbers.
ONPORT_TOKEN=$(waybill org create "onport-$RANDOM" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
CHANNEL=$(curl -s -X POST "$WAYBILL_URL/v1/channels" -H "as-api-key: $ONPORT_TOKEN" -d '{"name": "Shop"}' | grep -o '"id":[0-9]*' | cut -d: -f2)
curl -s -X POST "$WAYBILL_URL/api/channels/$CHANNEL/manual-sale.json" -H "Authorization: Bearer $ONPORT_TOKEN" -H 'Content-Type: application/json' -d '{
  "externalId": "1", "saleDefaults": {"reference": "1001", "shippingFullName": "Ada Lovelace", "shippingCity": "Beverly Hills", "shippingCountry": "US"},
  "customer": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
  "lineItems": [{"externalId": "L1", "name": "Lamp", "quantity": 1, "price": 80, "properties": [{"key": "vendor", "value": "lamps"}]},
                {"externalId": "L2", "name": "Shade", "quantity": 2, "price": 5, "properties": [{"key": "vendor", "value": "shades"}]}]}' \
  -o sale.json -w 'HTTP %{http_code}\n'
SALE=$(grep -o '"saleId":[0-9]*' sale.json | head -1 | cut -d: -f2)
grep -o '"purchases":\[{[^]]*' sale.json | grep -o '"id":[0-9]*,"isDropship"' | grep -o '[0-9]*' > purchases.txt
sleep 1   # one write a second per token
curl -s -X POST "$WAYBILL_URL/api/purchases/$(sed -n 1p purchases.txt)/ship.json" -H "Authorization: Bearer $ONPORT_TOKEN" \
  -H 'Content-Type: application/json' -d '{"trackingNumber": "SBXDELIVERED0001"}' -o ship1.json -w 'HTTP %{http_code}\n'
sleep 1
curl -s -X POST "$WAYBILL_URL/api/purchases/$(sed -n 2p purchases.txt)/ship.json" -H "Authorization: Bearer $ONPORT_TOKEN" \
  -H 'Content-Type: application/json' -d '{"trackingNumber": "SBXATTEMPTFAIL0002"}' -o ship2.json -w 'HTTP %{http_code}\n'
D1=$(grep -o '"id":[0-9]*,"importSource"' ship1.json | grep -o '[0-9]*')
D2=$(grep -o '"id":[0-9]*,"importSource"' ship2.json | grep -o '[0-9]*')

# 1. Connect: the API URL and a token. Waybill checks the token with one read and never shows it again.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s "$WAYBILL_URL/v1/connectors/onport" -H "as-api-key: $KEY" \
  -d "{\"api_url\": \"$WAYBILL_URL\", \"token\": \"wrong-token-0123456789\"}" -w 'HTTP %{http_code}\n' | tee wrong.json
check wrong.json 'HTTP 400' 'Onport refused it (401)'
curl -s "$WAYBILL_URL/v1/connectors/onport" -H "as-api-key: $KEY" \
  -d "{\"api_url\": \"$WAYBILL_URL\", \"token\": \"$ONPORT_TOKEN\", \"write_tracking_url\": true, \"write_tracking_events\": true}" | tee connection.json
check connection.json '"webhook_urls":{' '"write_tracking_url":true'
check_not connection.json "$ONPORT_TOKEN"

# 2. The URLs to paste into Onport. Onport calls them with the resource's id; the same call again is taken in once.
SALES_URL=$(grep -o '"sales":"[^"]*"' connection.json | cut -d'"' -f4)
DROPSHIPMENTS_URL=$(grep -o '"dropshipments":"[^"]*"' connection.json | cut -d'"' -f4)
curl -s "$SALES_URL" -d "{\"id\": $SALE}"
curl -s "$DROPSHIPMENTS_URL" -d "{\"id\": $D1}"
curl -s "$DROPSHIPMENTS_URL" -d "{\"id\": $D1}" | tee duplicate.json
check duplicate.json '"status":"duplicate"'
curl -s "$DROPSHIPMENTS_URL" -d "{\"id\": $D2}"
curl -s "$DROPSHIPMENTS_URL" -d '{"name": "no id"}' -w 'HTTP %{http_code}\n'

# 3. One order and two trackings, the customer as their recipient (fields picked).
for _ in $(seq 150); do curl -s "$WAYBILL_URL/v4/trackings?fields=tracking_number,order_number,customer_name,emails,source" -H "aftership-api-key: $KEY" -o trackings.json; grep -q 'SBXATTEMPTFAIL0002' trackings.json && grep -q 'SBXDELIVERED0001' trackings.json && break; sleep 0.2; done
grep -o '"tracking_number":"[^"]*"\|"order_number":"[^"]*"\|"customer_name":"[^"]*"\|"emails":\[[^]]*\]\|"source":"[^"]*"' trackings.json
check trackings.json '"customer_name":"Ada Lovelace"' '"emails":["ada@example.com"]' '"source":"onport"' '"order_number":"1001"'

# In Onport, each dropshipment's trackingUrl is now the Waybill page, and status changes arrive as tracking events.
for _ in $(seq 150); do curl -s "$WAYBILL_URL/api/dropshipments/$D1.json" -H "Authorization: Bearer $ONPORT_TOKEN" -o d1.json; grep -q '"trackingUrl":"http' d1.json && break; sleep 0.2; done
grep -o '"trackingUrl":"[^"]*"' d1.json
for _ in $(seq 150); do curl -s -g "$WAYBILL_URL/api/tracking-events.json?where[dropshipmentId]=$D1" -H "Authorization: Bearer $ONPORT_TOKEN" -o events.json; grep -q '"status":"delivered"' events.json && break; sleep 0.2; done
grep -o '"details":"[^"]*"\|"status":"[a-z_]*"\|"subStatus":"[a-z_]*"' events.json
check events.json '"status":"delivered"'

# 4. Shipments from before the webhooks: onport sync queues their import; a second run only what changed.
waybill onport sync --org "$ORG" --since 2026-11-01 | tee sync.txt
check sync.txt 'done: 2 dropshipments seen'
waybill onport sync --org "$ORG" --since 2026-11-01 | tee sync-again.txt
check sync-again.txt 'done: 2 dropshipments seen, 0 queued'
