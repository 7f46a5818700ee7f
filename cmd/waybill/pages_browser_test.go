package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/waybillhq/waybill/internal/testdb"
)

// browserPath finds Debian's chromium (or another Chrome). Without one the
// browser tests skip, unless CI is set: CI installs chromium, so a missing
// browser there is a failure.
func browserPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium found and CI=true: .ci/run installs it with apt-get install chromium")
	}
	t.Skip("no chromium on PATH (apt-get install chromium): skipping the browser tests")
	return ""
}

// browser is one headless chromium tab; screenshots go to dir.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1024, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, dir: t.TempDir()}
	b.do(chromedp.Navigate("about:blank"))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// html is the DOM as the browser holds it now.
func (b *browser) html() string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Fatal(err)
	}
	return out
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return out
}

func (b *browser) eval(js string) int64 {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return out
}

// screenshot saves the whole page as name.png under the test's temp dir.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100 gives a PNG; below, a JPEG
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if dst := os.Getenv("WAYBILL_SCREENSHOT_DIR"); dst != "" {
		_ = os.WriteFile(filepath.Join(dst, name+".png"), png, 0o644)
	}
	return path
}

func (b *browser) language(accept string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": accept}}); err != nil {
		b.t.Fatal(err)
	}
}

// submit fills the fields, clicks the button and waits for the answer: a
// page with shipments or a message, neither of which the form page has.
func (b *browser) submit(fields map[string]string, button string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for id, v := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.ID(id), v))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`article.shipment, [role="alert"]`)))
	b.do(steps...)
}

// adminCall sends a /v1 or 2026-07 request with the bootstrap key.
func adminCall(t *testing.T, p *process, method, path string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.URL+path, bytes.NewReader(data))
	req.Header.Set("as-api-key", "wb_test_bootstrap_key_0001")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// The customer data stored with the order; without proof none of it may
// reach the page.
var (
	shopperName   = "Ann Smithson"
	shopperEmail  = "ann.smithson@example.com"
	shopperPhone  = "+447700900123"
	shopperStreet = "221B Baker Street"
)

func noPersonalData(t *testing.T, where, dom string) {
	t.Helper()
	for _, secret := range []string{shopperName, "Smithson", shopperEmail, shopperPhone, "7700900123", shopperStreet, "Baker Street"} {
		if strings.Contains(dom, secret) {
			t.Errorf("%s: the DOM shows %q", where, secret)
		}
	}
}

// TestPagesInBrowser drives chromium through the hosted pages of a real
// `waybill serve`, on every engine.
func TestPagesInBrowser(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	browserPath(t)
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			p := servePages(t, engine)
			status, body := adminCall(t, p, "POST", "/tracking/2026-07/trackings", map[string]any{
				"slug": "ups", "tracking_number": "1Z999AA10123456784", "order_id": "ORD-1", "order_number": "#1001",
				"destination_city": "London", "destination_country_region": "GB", "destination_postal_code": "NW1 6XE",
				"destination_raw_location": shopperStreet + ", London NW1 6XE",
				"customers":                []map[string]any{{"name": shopperName, "email": shopperEmail, "phone_number": shopperPhone}},
			})
			if status != 201 {
				t.Fatalf("create: %d %v", status, body)
			}
			link := body["data"].(map[string]any)["aftership_tracking_url"].(string)
			if status, body := adminCall(t, p, "POST", "/tracking/2026-07/trackings", map[string]any{
				"slug": "dhl", "tracking_number": "1234567890", "order_id": "ORD-1", "order_number": "#1001",
			}); status != 201 {
				t.Fatalf("create second parcel: %d %v", status, body)
			}
			if status, body := adminCall(t, p, "POST", "/v1/checkpoints", map[string]any{
				"slug": "ups", "tracking_number": "1Z999AA10123456784", "checkpoints": []map[string]any{
					{"checkpoint_time": "2026-07-02T09:00:00+02:00", "message": "Origin scan", "city": "Köln", "country_iso3": "DEU", "tag": "InTransit"},
					{"checkpoint_time": "2026-07-03T07:30:00+01:00", "message": "Arrived at facility", "city": "London", "country_iso3": "GBR", "tag": "InTransit"},
				}}); status >= 300 {
				t.Fatalf("push checkpoints: %d %v", status, body)
			}

			b := newBrowser(t)
			b.language("en-GB,en;q=0.9")

			// The page from a real aftership_tracking_url.
			b.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h2.status")))
			if got := b.text("h2.status"); got != "In transit" {
				t.Errorf("status = %q", got)
			}
			if got := b.eval(`document.querySelectorAll("ol.checkpoints li").length`); got != 2 {
				t.Errorf("%d checkpoints shown, want 2", got)
			}
			if first := b.text("ol.checkpoints li p.msg"); first != "Arrived at facility" {
				t.Errorf("first checkpoint %q, want the newest", first)
			}
			dom := b.html()
			noPersonalData(t, "tracking page", dom)
			if !strings.Contains(dom, "https://www.ups.com/track?tracknum=1Z999AA10123456784") {
				t.Error("no link to the courier's own page")
			}
			b.screenshot("tracking-page")

			// The portal: lookup by tracking number shows no personal data.
			b.do(chromedp.Navigate(p.URL+"/track/default"), chromedp.WaitVisible(chromedp.ID("tracking_number")))
			b.submit(map[string]string{"tracking_number": "1z999aa1 0123456784"}, `button[value="number"]`)
			if got := b.text("dd.number"); got != "1Z999AA10123456784" {
				t.Errorf("lookup by number shows %q", got)
			}
			noPersonalData(t, "lookup by tracking number", b.html())
			b.screenshot("lookup-number")

			// Order number plus email, then plus postal code: the order.
			for name, proof := range map[string]string{"email": shopperEmail, "postal-code": "nw1 6xe"} {
				b.do(chromedp.Navigate(p.URL+"/track/default"), chromedp.WaitVisible(chromedp.ID("order_number")))
				b.submit(map[string]string{"order_number": "#1001", "verify": proof}, `button[value="order"]`)
				if got := b.text("main h1"); got != "Order #1001" {
					t.Errorf("order lookup with %s: heading %q", name, got)
				}
				if n := b.eval(`document.querySelectorAll("article.shipment").length`); n != 2 {
					t.Errorf("order lookup with %s: %d shipments, want both parcels", name, n)
				}
				if got := b.text("address"); !strings.Contains(got, shopperName) {
					t.Errorf("order lookup with %s: recipient %q", name, got)
				}
				b.screenshot("lookup-order-" + name)
			}

			// A wrong pair: one message, nothing revealed.
			b.do(chromedp.Navigate(p.URL+"/track/default"), chromedp.WaitVisible(chromedp.ID("order_number")))
			b.submit(map[string]string{"order_number": "#1001", "verify": "bob@example.com"}, `button[value="order"]`)
			if got := b.text(`[role="alert"]`); !strings.Contains(got, "Check both and try again") {
				t.Errorf("wrong pair message %q", got)
			}
			noPersonalData(t, "wrong pair", b.html())
			if n := b.eval(`document.querySelectorAll("article.shipment").length`); n != 0 {
				t.Errorf("wrong pair shows %d shipments", n)
			}

			// A change of branding shows at the next view.
			if status, body := adminCall(t, p, "PATCH", "/v1/organization", map[string]any{
				"display_name": "Acme Outdoor", "accent_color": "#0a7f5a", "support_email": "help@acme.example"}); status != 200 {
				t.Fatalf("PATCH /v1/organization: %d %v", status, body)
			}
			b.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("footer")))
			if got := b.text("header .org"); got != "Acme Outdoor" {
				t.Errorf("after rebranding the header says %q", got)
			}
			accent, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.brand")).borderBottomColor`))
			if err != nil || accent != "rgb(10, 127, 90)" {
				t.Errorf("header accent %q, %v; want rgb(10, 127, 90)", accent, err)
			}
			b.screenshot("branded")

			// 360 px wide: nothing wider than the screen.
			b.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h2.status")))
			if w := b.eval(`document.documentElement.scrollWidth`); w > 360 {
				t.Errorf("at 360 px the page is %d px wide", w)
			}
			if w := b.eval(`Math.ceil(document.querySelector("article.shipment").getBoundingClientRect().right)`); w > 360 {
				t.Errorf("at 360 px the shipment reaches %d px", w)
			}
			b.screenshot("narrow-360")
			b.do(chromedp.ResetViewport())

			// A second language, from Accept-Language.
			b.language("de-DE,de;q=0.9")
			b.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h2.status")))
			if lang := b.eval(`document.documentElement.lang === "de" ? 1 : 0`); lang != 1 {
				t.Error(`<html lang> is not "de"`)
			}
			if got := b.text("h2.status"); got != "Unterwegs" {
				t.Errorf("German status %q", got)
			}
			if got := b.text("section.history h3"); got != "Sendungsverlauf" {
				t.Errorf("German history heading %q", got)
			}
			if first := b.text("ol.checkpoints li p.msg"); first != "Arrived at facility" {
				t.Errorf("the carrier's message is translated: %q", first)
			}
			b.screenshot("german")
		})
	}
}
