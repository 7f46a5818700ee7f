#!/usr/bin/env bash
# Hosted tracking pages: branding, a tracking's page from its aftership_tracking_url (headers,
# text, privacy, 304 on reload), and the organization's portal looking up a number and an order.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database. README: "Hosted tracking pages".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# check_not FILE TEXT: stop if FILE holds TEXT.
check_not() { if grep -qF -- "$2" "$1"; then printf 'check: %s holds %s\n' "$1" "$2" >&2; exit 1; fi; }
# ---

# An organization of its own, branded, in German by default.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s -X PATCH "$WAYBILL_URL/v1/organization" -H "as-api-key: $KEY" -d '{
  "display_name": "Acme Outdoor", "accent_color": "#0a7f5a", "support_email": "help@acme.example",
  "language": "de", "time_zone": "Europe/Berlin"}' | tee org.json
check org.json '"display_name":"Acme Outdoor"' "\"portal_path\":\"/track/$ORG\""

# A tracking with its customer and order; its page is the 2026-07 API's aftership_tracking_url.
curl -s "$WAYBILL_URL/tracking/2026-07/trackings" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking_number": "1Z999AA10123456784", "order_number": "#1001", "customers": [{"name": "Ann Lee", "email": "ann@example.com"}]}' \
  -o tracking.json -w 'HTTP %{http_code}\n'
PAGE=$(grep -o '"aftership_tracking_url":"[^"]*"' tracking.json | cut -d'"' -f4)
echo "$PAGE"
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -d '{"slug": "ups", "tracking_number": "1Z999AA10123456784",
  "checkpoints": [{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Departed facility", "city": "Louisville", "country_region": "US", "tag": "InTransit"}]}' \
  -o /dev/null -w 'HTTP %{http_code}\n'

# The page: server-rendered, no scripts, a strict policy, an ETag.
curl -s -D headers.txt "$PAGE" -o page.html
tr -d '\r' < headers.txt | grep -iE '^(HTTP|content-security-policy|referrer-policy|etag)'
check headers.txt 'HTTP/1.1 200' "default-src 'none'" 'no-referrer'
sed -e 's/<[^>]*>//g' -e 's/^ *//' page.html | grep -v '^$' | tee page.txt
check page.txt 'Acme Outdoor' 'Unterwegs' 'Departed facility' '1Z999AA10123456784'

# Private by default: the customer's name is not on the page.
grep -c 'Ann Lee' page.html || true
check_not page.html 'Ann Lee'

# Reloading an unchanged page is a 304.
ETAG=$(tr -d '\r' < headers.txt | grep -i '^etag:' | cut -d' ' -f2)
curl -s -o /dev/null -w 'HTTP %{http_code}\n' -H "If-None-Match: $ETAG" "$PAGE" | tee reload.txt
check reload.txt 'HTTP 304'

# The portal: a tracking number shows its page; an order number needs the order's email (or
# phone, or postal code), and a wrong pair does not say which half was wrong.
curl -s "$WAYBILL_URL/track/$ORG" -d 'tracking_number=1Z999AA10123456784' -o found.html -w 'HTTP %{http_code}\n'
check found.html 'Departed facility'
curl -s "$WAYBILL_URL/track/$ORG" --data-urlencode 'order_number=#1001' --data-urlencode 'verify=bob@example.com' \
  | sed -e 's/<[^>]*>//g' -e 's/^ *//' | grep -i 'bestellung' | tee wrong.txt
check wrong.txt 'Wir konnten keine Bestellung'
curl -s "$WAYBILL_URL/track/$ORG" --data-urlencode 'order_number=#1001' --data-urlencode 'verify=ann@example.com' -o order.html -w 'HTTP %{http_code}\n'
check order.html '1Z999AA10123456784' 'Ann Lee'
