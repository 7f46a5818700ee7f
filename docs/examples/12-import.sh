#!/usr/bin/env bash
# Bulk import: an AfterShip-format CSV imported through a running server, its rejected rows with
# their reasons, a second run that creates nothing, and the batch endpoint itself.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database (for the organization; the import itself only talks to WAYBILL_URL).
# README: "Bulk import".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own; waybill import reads WAYBILL_URL and WAYBILL_API_KEY.
ORG=acme-$RANDOM
export WAYBILL_API_KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# Four rows: one with its courier, one to detect (usps), an unknown courier, a bad email.
cat > trackings.csv <<'CSV'
Courier,Tracking Number,Order Number,Title,Email,Phone,Customer Name,Destination Country,Language,custom_fields.sku,Warehouse
ups,1Z999AA10123456784,#1001,Blue mug,ann@example.com,+14155550100,Ann Lee,USA,en,MUG-1,A
,9400111206213642173009,#1002,Red mug,"bob@example.com, bo@example.com",,Bob,US,en,MUG-2,B
nope,X123,#1003,,,,,,,,
dhl,1234567890,#1004,,not-an-email,,,,,,
CSV
waybill import trackings.csv 2>&1 | tee first.txt
check first.txt '2 created, 0 already existed, 2 rejected'
cat trackings.rejects.csv
check trackings.rejects.csv '4,invalid,slug_invalid' '5,invalid,field_invalid'

# The same file again creates nothing.
waybill import trackings.csv 2>&1 | tee second.txt
check second.txt '0 created, 2 already existed, 2 rejected'

# The endpoint behind it: up to 1,000 rows, a result per row, in order.
curl -s -X POST "$WAYBILL_URL/v1/trackings/batch" -H "as-api-key: $WAYBILL_API_KEY" \
  -d '{"trackings":[{"slug":"dhl","tracking_number":"3318810025","title":"Order #2001","emails":["ann@example.com"],"destination_country_iso3":"DE"},
                    {"tracking_number":"1Z999AA10123456784"},
                    {"slug":"dhl","tracking_number":"3318810026","language":"not a language"}]}' | tee batch.json
check batch.json '"created":1,"exists":1,"rejected":1' '"status":"exists"' 'The value of language is invalid'
ROWS=$(printf '{},%.0s' $(seq 1001))
curl -s -X POST "$WAYBILL_URL/v1/trackings/batch" -H "as-api-key: $WAYBILL_API_KEY" -d "{\"trackings\":[${ROWS%,}]}" -w 'HTTP %{http_code}\n' | tee too-many.json
check too-many.json 'HTTP 413' 'at most 1000 trackings'
