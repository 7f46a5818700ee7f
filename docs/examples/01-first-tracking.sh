#!/usr/bin/env bash
# From an empty machine to a tracking: an organization and its keys, a tracking created on
# AfterShip's v4 API, and the same tracking read back on v4 and on the dated 2026-07 API.
#
# Needs a running `waybill serve` at WAYBILL_URL, and the waybill command on the server's
# database (WAYBILL_DATABASE_URL) to create the organization. README: "From an empty machine
# to a tracking, with curl". Run by TestExamples (cmd/waybill/examples_test.go).
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization and its first API key (works while the server runs), then a second key.
ORG=acme-$RANDOM
waybill org create "$ORG" | tee org.json
KEY=$(grep -o '"api_key":"[^"]*"' org.json | cut -d'"' -f4)
check org.json "\"name\":\"$ORG\"" '"api_key":"wb_'
waybill key create --org "$ORG" | tee key.json
check key.json "\"org\":\"$ORG\"" '"api_key":"wb_'

# Create a tracking. Without "slug", the courier is detected from the number.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"tracking_number": "1Z999AA10123456784", "title": "Blue shoes", "emails": ["ann@example.com"]}}' \
  -w 'HTTP %{http_code}\n' | tee created.json
check created.json 'HTTP 201' '"slug":"ups"' '"tag":"Pending"' '"title":"Blue shoes"'
ID=$(grep -o '"id":"[^"]*"' created.json | head -1 | cut -d'"' -f4)

# Fetch it by courier and number, or by id; ?fields= picks fields.
curl -s "$WAYBILL_URL/v4/trackings/ups/1Z999AA10123456784?fields=title,tag,emails" -H "aftership-api-key: $KEY" | tee by-number.json
check by-number.json "\"id\":\"$ID\"" '"emails":["ann@example.com"]'
curl -s "$WAYBILL_URL/v4/trackings/$ID?fields=tag" -H "aftership-api-key: $KEY" | tee by-id.json
check by-id.json '"tag":"Pending"'

# The same tracking through the dated API (the as-api-key header).
curl -s "$WAYBILL_URL/tracking/2026-07/trackings/$ID" -H "as-api-key: $KEY" | tee dated.json
check dated.json "\"id\":\"$ID\"" '"tracking_number":"1Z999AA10123456784"' '"aftership_tracking_url":"'

# Creating it again changes nothing: 4003.
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d '{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784"}}' -w 'HTTP %{http_code}\n' | tee again.json
check again.json 'HTTP 400' '"code":4003'

# A wrong key is 401.
curl -s "$WAYBILL_URL/v4/trackings/$ID" -H 'aftership-api-key: wb_not_a_key_0000000000' -w 'HTTP %{http_code}\n' | tee wrong.json
check wrong.json 'HTTP 401'
