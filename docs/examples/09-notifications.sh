#!/usr/bin/env bash
# Customer notifications: a template refused with its line, a preview, the organization's
# settings, and the email a status change sends, as the mail server received it.
#
# Needs a running `waybill serve` at WAYBILL_URL with WAYBILL_SMTP_URL and WAYBILL_MAIL_FROM set,
# the waybill command on the server's database, and RECEIVER_URL giving back the mails:
# GET RECEIVER_URL/_mail/ADDRESS?n=1 is the first mail to ADDRESS (TestExamples runs the SMTP
# server and this view of it). README: "Customer notifications (email and SMS)".
set -euo pipefail
: "${WAYBILL_URL:=http://localhost:8080}" "${RECEIVER_URL:?RECEIVER_URL: where the mails can be read}"
# check FILE TEXT...: stop unless FILE holds every TEXT.
check() { local f=$1; shift; for w; do grep -qF -- "$w" "$f" || { printf 'check: %s lacks %s:\n' "$f" "$w" >&2; cat "$f" >&2; exit 1; }; done; }
# ---

# An organization of its own.
ORG=acme-$RANDOM
KEY=$(waybill org create "$ORG" | grep -o '"api_key":"[^"]*"' | cut -d'"' -f4)

# A template that does not parse is refused with its line.
curl -s -X PUT "$WAYBILL_URL/v1/notification-templates/InTransit/de" -H "as-api-key: $KEY" \
  -d '{"subject":"{{.StoreName}}: Paket {{.TrackingNumber}}","text":"{{.PageURL\n","sms":"x"}' -w 'HTTP %{http_code}\n' | tee refused.json
check refused.json 'HTTP 400' 'line 1: unclosed action'

# Render one with a sample tracking (subject and text picked from the answer).
curl -s -X POST "$WAYBILL_URL/v1/notification-templates/OutForDelivery/en/preview" -H "as-api-key: $KEY" \
  | grep -o '"subject":"[^"]*"\|"text":"[^"]*"' | tee preview.txt
check preview.txt "\"subject\":\"$ORG: your order is out for delivery\""

# Only InTransit and Delivered, by email only, at once.
curl -s -X PUT "$WAYBILL_URL/v1/notification-settings" -H "as-api-key: $KEY" \
  -d '{"statuses":["InTransit","Delivered"],"email":true,"sms":false,"delay_minutes":0}' | tee settings.json
check settings.json '"statuses":["InTransit","Delivered"]'

# A tracking with a recipient, and a scan that puts it in transit.
EMAIL=ann.$ORG@example.com
curl -s "$WAYBILL_URL/v4/trackings" -H "aftership-api-key: $KEY" -H 'Content-Type: application/json' \
  -d "{\"tracking\": {\"slug\": \"dhl\", \"tracking_number\": \"3318810025\", \"emails\": [\"$EMAIL\"], \"customer_name\": \"Ann Lee\"}}" \
  -o tracking.json -w 'HTTP %{http_code}\n'
ID=$(grep -o '"id":"[^"]*"' tracking.json | head -1 | cut -d'"' -f4)
curl -s "$WAYBILL_URL/v1/checkpoints" -H "as-api-key: $KEY" -d '{"slug": "dhl", "tracking_number": "3318810025",
  "checkpoints": [{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Departed facility", "city": "Leipzig", "tag": "InTransit"}]}' \
  -o /dev/null -w 'HTTP %{http_code}\n'

# The mail server has the email a moment later (some of its headers, then its text part).
for _ in $(seq 150); do curl -sf "$RECEIVER_URL/_mail/$EMAIL?n=1" -o mail.eml && break; sleep 0.2; done
tr -d '\r' < mail.eml | grep -E '^(Subject|From|To|List-Unsubscribe|List-Unsubscribe-Post):'
check mail.eml "Subject: $ORG: your order is on its way" 'List-Unsubscribe-Post: List-Unsubscribe=One-Click' "/t/"

# What was decided and what happened (recipients masked).
curl -s "$WAYBILL_URL/v1/notifications?tracking_id=$ID" -H "as-api-key: $KEY" | tee notifications.json
check notifications.json '"status":"sent"' '"tag":"InTransit"' '"channel":"email"'
