package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTrackerItemsThroughPortal: a real `waybill serve` offers a Tracker
// API tracker's items in the returns portal (found by the tracker's order
// number and the shopper's postal code), with their quantities and the
// organization's non-returnable SKU kept back; the return's lines are its
// items in GET /v1/returns, a second return over the line's quantity is
// refused, and the shopper's email is a notification, sent and listed.
// Both engines.
func TestTrackerItemsThroughPortal(t *testing.T) {
	t.Parallel() // a process test: it waits on its server
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			mail := notifytest.StartSMTP(t)
			p := servePages(t, engine, "WAYBILL_SANDBOX_STEP=300ms",
				fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Acme <returns@acme.example>")
			if status, body := adminCall(t, p, "PATCH", "/v1/returns/settings", map[string]any{"non_returnable": []string{"GIFT-CARD"}}); status != 200 {
				t.Fatalf("settings: %d %v", status, body)
			}
			if status, body := adminCall(t, p, "POST", "/v1/providers", map[string]any{"name": "UPS", "slug": "ups"}); status != 201 {
				t.Fatalf("provider: %d %v", status, body)
			}
			status, body := trackerCall(t, p, "POST", "/api/v2/tracker", map[string]any{"provider": "UPS", "trackerExternalId": "T-100",
				"trackingId": "1Z999AA10123456784", "type": "delivery",
				"pickup":          map[string]any{"address": map[string]any{"street1": "1 Dock Road", "city": "Leeds", "countryCode": "GB"}},
				"deliveryAddress": map[string]any{"street1": "2 Baker St", "city": "London", "postalCode": "NW1 6XE", "countryCode": "GB"},
				"deliveryContact": map[string]any{"name": shopperName, "email": shopperEmail},
				"items":           []map[string]any{{"sku": "SHIRT-M", "name": "Linen shirt", "quantity": 2}, {"sku": "GIFT-CARD", "name": "Gift card", "quantity": 1}}})
			if status != 201 {
				t.Fatalf("tracker: %d %v", status, body)
			}
			delivered := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
			if status, body := adminCall(t, p, "POST", "/v1/checkpoints", map[string]any{"slug": "ups", "tracking_number": "1Z999AA10123456784",
				"checkpoints": []map[string]any{{"checkpoint_time": delivered, "message": "Delivered", "city": "London", "tag": "Delivered"}}}); status >= 300 {
				t.Fatalf("deliver: %d %v", status, body)
			}

			post := func(path string, form url.Values) (int, string) {
				t.Helper()
				res, err := http.PostForm(p.URL+path, form)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			status, page := post("/track/default/returns", url.Values{"order_number": {"T-100"}, "verify": {"nw1 6xe"}})
			if status != 200 || !strings.Contains(page, "Linen shirt") || !strings.Contains(page, `value="T-100/SHIRT-M"`) ||
				!strings.Contains(page, `<option value="2">2</option>`) || !strings.Contains(page, "Gift card") || strings.Contains(page, `value="T-100/GIFT-CARD"`) {
				t.Fatalf("items page: %d\n%s", status, page)
			}
			line := func(qty string) url.Values {
				return url.Values{"order_number": {"T-100"}, "verify": {"nw1 6xe"}, "id_0": {"T-100/SHIRT-M"}, "qty_0": {qty},
					"reason_0": {"too_small"}, "resolution_0": {"refund"}}
			}
			if status, page := post("/track/default/returns/new", line("1")); status != 200 || !strings.Contains(page, "RMA-") {
				t.Fatalf("submit: %d\n%s", status, page)
			}
			if status, _ := post("/track/default/returns/new", line("2")); status < 400 {
				t.Errorf("a second return over the line's quantity: %d", status)
			}
			status, body = adminCall(t, p, "GET", "/v1/returns?order_number=T-100", nil)
			list, _ := body["returns"].([]any)
			if status != 200 || len(list) != 1 {
				t.Fatalf("returns: %d %v", status, body)
			}
			ret := list[0].(map[string]any)
			lines, _ := ret["lines"].([]any)
			if len(lines) != 1 {
				t.Fatalf("lines %v", ret["lines"])
			}
			if l := lines[0].(map[string]any); l["id"] != "T-100/SHIRT-M" || l["sku"] != "SHIRT-M" || l["name"] != "Linen shirt" || l["quantity"] != float64(1) {
				t.Errorf("line %v", l)
			}

			var sent map[string]any
			waitFor(t, "the submitted email's notification to be sent", func() bool {
				_, body := adminCall(t, p, "GET", "/v1/notifications?return_id="+ret["id"].(string), nil)
				ns, _ := body["notifications"].([]any)
				if len(ns) == 1 && ns[0].(map[string]any)["status"] == "sent" {
					sent = ns[0].(map[string]any)
				}
				return sent != nil
			})
			if sent["tag"] != "return.submitted" || sent["tracking_id"] != "" || sent["channel"] != "email" {
				t.Errorf("notification %v", sent)
			}
			var about []notifytest.Mail
			for _, m := range mail.Mails() {
				if strings.Contains(m.Subject(), ret["rma"].(string)) {
					about = append(about, m)
				}
			}
			if len(about) != 1 || about[0].To[0] != shopperEmail || about[0].MessageID() != sent["provider_message_id"] {
				t.Errorf("%d emails about %s; want the one notification's", len(about), ret["rma"])
			}
		})
	}
}
