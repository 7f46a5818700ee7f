#!/usr/bin/env bash
# Onport: a custom channel, a sale sent asynchronously and synchronously, each vendor's shipment
# becoming a tracking, and the sale reaching its trackings.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database. README: "Onport", "A sale, from checkout to its trackings".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# 1. A custom channel; its hash authenticates the asynchronous endpoints.
curl -s -X POST "$WAYBILL_URL/v1/channels" -H "as-api-key: $KEY" -d '{"name": "My shop"}' | tee channel.json
check channel.json '"name":"My shop"' '"webhook_hash":"'
CHANNEL=$(grep -o '"id":[0-9]*' channel.json | head -1 | cut -d: -f2)
HASH=$(grep -o '"webhook_hash":"[^"]*"' channel.json | cut -d'"' -f4)

# 2. A sale of two lines from two vendors, asynchronously: 200 once it is committed.
cat > sale.json <<'JSON'
{"externalId": "S1001",
 "customer": {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com"},
 "lineItems": [
   {"externalId": "L1", "name": "Blue shoes", "quantity": 1, "price": 80, "properties": [{"key": "vendor", "value": "acme-shoes"}]},
   {"externalId": "L2", "name": "Socks", "quantity": 2, "price": 5, "properties": [{"key": "vendor", "value": "sock-co"}]}],
 "shipping": [{"code": "std", "name": "Standard", "price": 4}]}
JSON
curl -s -X POST "$WAYBILL_URL/webhooks/custom-channels/manual-sale.json" \
  -H 'Content-Type: application/json' -H "jetti-webhook-hash: $HASH" -d @sale.json | tee accepted.json
check accepted.json '"status":"accepted"'

# 3. Its outcome, a moment later: done, with what it created (one purchase per vendor).
for _ in $(seq 150); do curl -s "$WAYBILL_URL/v1/api-logs?externalId=S1001" -H "as-api-key: $KEY" > log.json; grep -q '"status":"done"' log.json && break; sleep 0.2; done
cat log.json
check log.json '"status":"done"' '"created":true'
PURCHASES=$(grep -o '"purchase_ids":\[[0-9,]*\]' log.json | grep -o '[0-9][0-9,]*')
SALE=$(grep -o '"sale_id":[0-9]*' log.json | cut -d: -f2)
echo "sale $SALE, purchases $PURCHASES"

# 4. The same sale body synchronously (another externalId): 201 with the sale; again: 200 (an update).
sed 's/S1001/S1002/' sale.json > sale2.json
curl -s -X POST "$WAYBILL_URL/api/channels/$CHANNEL/manual-sale.json" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d @sale2.json -w 'HTTP %{http_code}\n' | tee sale2-created.json
check sale2-created.json 'HTTP 201' '"externalId":"S1002"' '"status":"dropship"'
sleep 1   # the synchronous API admits one write a second per token
curl -s -X POST "$WAYBILL_URL/api/channels/$CHANNEL/manual-sale.json" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d @sale2.json -o /dev/null -w 'HTTP %{http_code}\n' | tee sale2-again.txt
check sale2-again.txt 'HTTP 200'

# 5. Each vendor ships its purchase; each shipment becomes a tracking.
sleep 1
curl -s -X POST "$WAYBILL_URL/api/purchases/${PURCHASES%,*}/ship.json" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"}' \
  -w 'HTTP %{http_code}\n' | tee ship1.json
check ship1.json 'HTTP 201' '"trackingNumber":"1Z999AA10123456784"' '"aftershipId":"'
sleep 1
curl -s -X POST "$WAYBILL_URL/api/purchases/${PURCHASES#*,}/ship.json" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"trackingNumber": "9400111206213642173009", "trackingCompany": "USPS Priority"}' \
  -w 'HTTP %{http_code}\n' | tee ship2.json
check ship2.json 'HTTP 201' '"trackingCompany":"USPS Priority"'

# 6. The sale reaches both trackings; each is an AfterShip tracking like any other.
curl -s -g "$WAYBILL_URL/api/sales/$SALE.json?include[0][model]=Dropshipment" -H "Authorization: Bearer $KEY" | tee sale.out.json
check sale.out.json '"status":"completed"' '"trackingCompany":"UPS"' '"trackingCompany":"USPS Priority"'
curl -s "$WAYBILL_URL/v4/trackings/ups/1Z999AA10123456784?fields=tag,source,order_id,emails" -H "aftership-api-key: $KEY" | tee tracking.json
check tracking.json '"source":"onport"' '"order_id":"S1001"' '"emails":["ann@example.com"]'
