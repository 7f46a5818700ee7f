#!/usr/bin/env bash
# Couriers and detection: which couriers an organization has activated, detection among them,
# the 4012 of a courier that is not activated, and activating it again from the shell.
#
# Needs a running `waybill serve` at WAYBILL_URL and the waybill command on the server's
# database. README: "Which couriers an organization has activated".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own: every courier is activated.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)
curl -s "$WAYBILL_URL/v1/couriers" -H "as-api-key: $KEY" | cut -c1-150 | tee couriers.txt
check couriers.txt '"all":true' '{"slug":"4-72","name":"4-72 Entregando"}'

# Detection: a Japan Post number (UPU S10, check digit 5).
curl -s "$WAYBILL_URL/v4/couriers/detect" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"tracking_number": "EE123456785JP"}}' | tee detected.json
check detected.json '"slug":"japan-post"'

# Narrow the set: without japan-post, the number is not detected (4012, which says how to activate it).
curl -s -X PUT "$WAYBILL_URL/v1/couriers" -H "as-api-key: $KEY" -d '{"deactivate": ["japan-post"]}' | cut -c1-60 | tee narrowed.txt
check narrowed.txt '"all":false'
curl -s "$WAYBILL_URL/tracking/2026-07/couriers/detect" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking_number": "EE123456785JP"}' -w 'HTTP %{http_code}\n' | tee refused.json
check refused.json 'HTTP 400' '"code":4012' 'waybill couriers activate'

# An unknown slug is refused and changes nothing.
curl -s -X PUT "$WAYBILL_URL/v1/couriers" -H "as-api-key: $KEY" -d '{"activate": ["no-such-courier"]}' -w 'HTTP %{http_code}\n' | tee unknown.json
check unknown.json 'HTTP 400' 'no-such-courier'

# The same from the shell.
waybill couriers activate --org "$ORG" japan-post | tee activated.txt
check activated.txt 'couriers activated'
curl -s "$WAYBILL_URL/tracking/2026-07/couriers/detect" -H "as-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking_number": "EE123456785JP"}' | tee detected-again.json
check detected-again.json '"slug":"japan-post"'

# Without a server: candidate couriers of each number, best first.
printf '1Z999AA10123456784\n9400 1112 0621 3642 1730 09\n' | waybill detect | tee offline.txt
check offline.txt '"slug":"ups"' '"slug":"usps"'
