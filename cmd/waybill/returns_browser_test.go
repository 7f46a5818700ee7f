package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/testdb"
)

// hookLog records the webhooks a test endpoint receives.
type hookLog struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	h.mu.Lock()
	h.bodies = append(h.bodies, m)
	h.mu.Unlock()
	w.WriteHeader(200)
}

// events returns the event types received, in order.
func (h *hookLog) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, b := range h.bodies {
		out = append(out, fmt.Sprint(b["event"]))
	}
	return out
}

// waitFor polls cond until it holds or a minute has passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReturnsInBrowser walks a shopper through the returns portal of a
// real `waybill serve` in chromium (lookup, items, reason, resolution,
// confirmation); the merchant approves with a sandbox return tracking
// number whose journey delivers it, and the return reaches received, with
// one email and one webhook per change.
func TestReturnsInBrowser(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	browserPath(t)
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			mail := notifytest.StartSMTP(t)
			hooks := &hookLog{}
			receiver := httptest.NewServer(hooks)
			t.Cleanup(receiver.Close)
			p := servePages(t, engine, "WAYBILL_SANDBOX_STEP=300ms", "WAYBILL_WEBHOOK_ALLOW_PRIVATE=true",
				fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Acme <returns@acme.example>")
			if status, body := adminCall(t, p, "POST", "/v1/webhooks", map[string]any{"url": receiver.URL,
				"events": []string{"return.submitted", "return.approved", "return.rejected", "return.shipped", "return.received", "return.resolved", "return.expired"}}); status != 201 {
				t.Fatalf("webhook: %d %v", status, body)
			}
			if status, body := adminCall(t, p, "PATCH", "/v1/returns/settings", map[string]any{
				"return_address": "Acme Returns\n1 Dock Road\nLeeds LS1 1AA"}); status != 200 {
				t.Fatalf("settings: %d %v", status, body)
			}
			status, body := adminCall(t, p, "POST", "/tracking/2026-07/trackings", map[string]any{
				"slug": "ups", "tracking_number": "1Z999AA10123456784", "order_number": "#2001", "destination_postal_code": "NW1 6XE",
				"customers": []map[string]any{{"name": shopperName, "email": shopperEmail}}})
			if status != 201 {
				t.Fatalf("create: %d %v", status, body)
			}
			link := body["data"].(map[string]any)["aftership_tracking_url"].(string)
			delivered := time.Now().UTC().Add(-48 * time.Hour).Format(time.RFC3339)
			if status, body := adminCall(t, p, "POST", "/v1/checkpoints", map[string]any{"slug": "ups", "tracking_number": "1Z999AA10123456784",
				"checkpoints": []map[string]any{{"checkpoint_time": delivered, "message": "Delivered", "city": "London", "tag": "Delivered"}}}); status >= 300 {
				t.Fatalf("deliver: %d %v", status, body)
			}

			b := newBrowser(t)
			b.language("en-GB,en;q=0.9")
			// The delivered shipment's page offers the return.
			b.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("p.start-return a")))
			if got := b.text("p.start-return a"); got != "Start a return" {
				t.Errorf("start link %q", got)
			}
			// Lookup.
			b.do(chromedp.Navigate(p.URL+"/track/default/returns"), chromedp.WaitVisible(chromedp.ID("order_number")))
			b.do(chromedp.SetValue(chromedp.ID("order_number"), "#2001"), chromedp.SetValue(chromedp.ID("verify"), shopperEmail),
				chromedp.Click(chromedp.ID("find-order")), chromedp.WaitVisible(chromedp.ID("qty_0")))
			if got := b.text("main h1"); got != "Return items from order #2001" {
				t.Errorf("items heading %q", got)
			}
			noPersonalData(t, "items page", strings.ReplaceAll(b.html(), shopperEmail, ""))
			// Items, reason, resolution.
			b.do(chromedp.SetValue(chromedp.ID("qty_0"), "1"))
			b.do(chromedp.SetValue(chromedp.ID("reason_0"), "too_small"))
			b.do(chromedp.SetValue(chromedp.ID("resolution_0"), "exchange"))
			b.screenshot("returns-portal")
			// Confirmation.
			b.do(chromedp.Click(chromedp.ID("submit-return")), chromedp.WaitVisible(chromedp.CSS("dd.rma")))
			rma := b.text("dd.rma")
			if !strings.HasPrefix(rma, "RMA-") || b.text("#return-status") != "Submitted" {
				t.Fatalf("confirmation: rma %q, status %q", rma, b.text("#return-status"))
			}
			b.screenshot("returns-confirmation")

			status, body = adminCall(t, p, "GET", "/v1/returns?order_number=%232001", nil)
			list, _ := body["returns"].([]any)
			if status != 200 || len(list) != 1 {
				t.Fatalf("list: %d %v", status, body)
			}
			ret := list[0].(map[string]any)
			id := ret["id"].(string)
			line := ret["lines"].([]any)[0].(map[string]any)
			if ret["rma"] != rma || line["reason"] != "too_small" || line["resolution"] != "exchange" || ret["customer_email"] != shopperEmail {
				t.Fatalf("stored return %v", ret)
			}
			// The merchant approves with a sandbox return parcel.
			if status, body := adminCall(t, p, "POST", "/v1/returns/"+id+"/approve", map[string]any{
				"tracking_number": "SBXDELIVERED0001", "slug": "sandbox", "label_url": "https://labels.acme.example/" + rma + ".pdf"}); status != 200 {
				t.Fatalf("approve: %d %v", status, body)
			}
			waitFor(t, "the return to be received", func() bool {
				_, body := adminCall(t, p, "GET", "/v1/returns/"+id, nil)
				r, _ := body["return"].(map[string]any)
				return r != nil && r["status"] == "received"
			})
			want := []string{"return.submitted", "return.approved", "return.shipped", "return.received"}
			waitFor(t, "four webhooks", func() bool { return len(hooks.events()) >= len(want) })
			var mails []notifytest.Mail
			waitFor(t, "four emails", func() bool {
				mails = mails[:0]
				for _, m := range mail.Mails() {
					if strings.Contains(m.Subject(), rma) {
						mails = append(mails, m)
					}
				}
				return len(mails) >= len(want)
			})
			// Deliveries run in parallel, so they may arrive in any order:
			// one of each, nothing more.
			got := hooks.events()
			slices.Sort(got)
			if sorted := slices.Sorted(slices.Values(want)); !slices.Equal(got, sorted) {
				t.Errorf("webhooks %v; want one per change: %v", got, want)
			}
			seen := map[string]bool{}
			for _, m := range mails {
				if len(m.To) != 1 || m.To[0] != shopperEmail || seen[m.MessageID()] {
					t.Errorf("email %q to %v (Message-ID %s)", m.Subject(), m.To, m.MessageID())
				}
				seen[m.MessageID()] = true
			}
			if len(mails) != len(want) {
				t.Errorf("%d emails about %s; want %d", len(mails), rma, len(want))
			}
			for _, h := range hooks.bodies {
				if r, _ := h["return"].(map[string]any); r == nil || r["rma"] != rma {
					t.Errorf("webhook without the whole return: %v", h)
				}
			}

			// The shopper's page of the return shows where it stands.
			b.do(chromedp.Navigate(p.URL+"/r/"+pageToken(t, mails[0])), chromedp.WaitVisible(chromedp.ID("return-status")))
			if got := b.text("#return-status"); got != "Received" {
				t.Errorf("return page status %q", got)
			}
			if got := b.text("span.parcel-number"); got != "SBXDELIVERED0001" {
				t.Errorf("return parcel %q", got)
			}
			b.screenshot("returns-received")
			if dir := os.Getenv("WAYBILL_SCREENSHOT_DIR"); dir != "" {
				t.Logf("screenshots in %s", filepath.Clean(dir))
			}
		})
	}
}

// pageToken reads the return page's token from the link in an email.
func pageToken(t *testing.T, m notifytest.Mail) string {
	t.Helper()
	raw := string(m.Raw)
	i := strings.Index(raw, "/r/")
	if i < 0 {
		t.Fatalf("no return page link in %s", raw)
	}
	tok := raw[i+3:]
	if j := strings.IndexAny(tok, "\r\n \"<"); j >= 0 {
		tok = tok[:j]
	}
	return tok
}
