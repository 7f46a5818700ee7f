#!/usr/bin/env bash
# Returns: the organization's rules, a shopper's return through the returns portal (the same form
# posts a browser makes), and the merchant approving, receiving and resolving it on the API.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database. README: "Returns: a portal for shoppers, an API for merchants".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own, its return rules, and a delivered shipment of order #1001.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s -X PATCH "$WAYBILL_URL/v1/returns/settings" -H "as-api-key: $KEY" \
  -d '{"window_days": 30, "return_address": "Acme Returns\n1 Dock Road\nLeeds LS1 1AA", "non_returnable": ["GIFT-CARD"]}' | tee settings.json
check settings.json '"window_days":30' '"non_returnable":["GIFT-CARD"]'
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784", "order_number": "#1001", "emails": ["ann@example.com"]}}' \
  -o /dev/null -w 'HTTP %{http_code}\n'
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -d '{"slug": "ups", "tracking_number": "1Z999AA10123456784",
  "checkpoints": [{"checkpoint_time": "'"$NOW"'", "message": "Delivered", "tag": "Delivered"}]}' -o /dev/null -w 'HTTP %{http_code}\n'

# The shopper: the returns lookup (order number and email) lists the returnable items...
curl -s "$WAYBILL_URL/track/$ORG/returns" --data-urlencode 'order_number=#1001' --data-urlencode 'verify=ann@example.com' -o items.html
grep -o 'name="[a-z_0-9]*" value="[^"]*"' items.html
ITEM=$(grep -o 'name="id_0" value="[^"]*"' items.html | cut -d'"' -f4)
# ...and sends the form: one item, a reason, a resolution. The confirmation page gives the RMA.
curl -s "$WAYBILL_URL/track/$ORG/returns/new" --data-urlencode 'order_number=#1001' --data-urlencode 'verify=ann@example.com' \
  -d "id_0=$ITEM&qty_0=1&reason_0=too_small&resolution_0=exchange" -o confirmation.html
grep -o 'RMA-[A-Z0-9-]*' confirmation.html | head -1 | tee rma.txt
check rma.txt 'RMA-'

# The merchant lists the submitted returns (fields picked), approves with a return label and parcel...
curl -s "$WAYBILL_URL/v1/returns?status=submitted" -H "as-api-key: $KEY" | tee list.json \
  | grep -o '"id":"[^"]*"\|"rma":"[^"]*"\|"status":"[^"]*"\|"order_number":"[^"]*"\|"reason":"[^"]*"\|"resolution":"[^"]*"'
check list.json "\"rma\":\"$(cat rma.txt)\"" '"reason":"too_small"' '"resolution":"exchange"'
RETURN=$(grep -o '"id":"[^"]*"' list.json | head -1 | cut -d'"' -f4)
curl -s -X POST "$WAYBILL_URL/v1/returns/$RETURN/approve" -H "as-api-key: $KEY" \
  -d '{"tracking_number": "SBXDELIVERED0042", "slug": "sandbox", "label_url": "https://labels.acme.example/label.pdf"}' \
  | grep -o '"status":"[^"]*"\|"return_tracking_number":"[^"]*"\|"expires_at":"[^"]*"' | tee approved.txt
check approved.txt '"status":"approved"' '"return_tracking_number":"SBXDELIVERED0042"'

# ...an action the status does not allow is refused with 409 and changes nothing...
curl -s -X POST "$WAYBILL_URL/v1/returns/$RETURN/reject" -H "as-api-key: $KEY" -d '{"reason": "Worn"}' -w 'HTTP %{http_code}\n' | tee refused.json
check refused.json 'HTTP 409' '"reason":"return_status"'

# ...then receives every line in full and resolves it.
curl -s -X POST "$WAYBILL_URL/v1/returns/$RETURN/receive" -H "as-api-key: $KEY" | grep -o '"status":"[^"]*"\|"received":[0-9]*' | tee received.txt
check received.txt '"status":"received"' '"received":1'
curl -s -X POST "$WAYBILL_URL/v1/returns/$RETURN/resolve" -H "as-api-key: $KEY" -d '{"note": "Exchanged for size 43"}' \
  | grep -o '"status":"[^"]*"\|"note":"[^"]*"' | tee resolved.txt
check resolved.txt '"status":"resolved"' '"note":"Exchanged for size 43"'
