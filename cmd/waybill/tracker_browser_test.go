package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/waybillhq/waybill/internal/testdb"
)

// trackerCall sends a Tracker API request as the bootstrap organization.
func trackerCall(t *testing.T, p *process, method, path string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.URL+path, bytes.NewReader(data))
	req.Header.Set("x-api-key", "wb_test_bootstrap_key_0001")
	req.Header.Set("tenantId", "default")
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

// TestTrackerLinksInBrowser opens the trackingUrl a real `waybill serve`
// gives a tracker in chromium: an ungrouped tracker's opens its parcel's
// page, and a group's shared link opens the page with every parcel of the
// group. Both engines.
func TestTrackerLinksInBrowser(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	browserPath(t)
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			p := servePages(t, engine)
			if status, body := adminCall(t, p, "POST", "/v1/providers", map[string]any{"name": "UPS", "slug": "ups"}); status != 201 {
				t.Fatalf("provider: %d %v", status, body)
			}
			if status, body := adminCall(t, p, "POST", "/v1/locations", map[string]any{"external_id": "store-1",
				"address": map[string]any{"street1": "1 Warehouse Way", "city": "Leeds", "countryCode": "GB"}}); status != 201 {
				t.Fatalf("location: %d %v", status, body)
			}
			links := map[string]string{}
			for _, tr := range []struct{ ext, number, group string }{
				{"solo", "1Z999AA10123456784", ""},
				{"g-a", "1Z999AA10123456795", "order-9"},
				{"g-b", "1Z999AA10123456802", "order-9"},
			} {
				req := map[string]any{"provider": "UPS", "locationExternalId": "store-1", "trackerExternalId": tr.ext,
					"trackingId": tr.number, "type": "pickup"}
				if tr.group != "" {
					req["groupId"] = tr.group
				}
				status, body := trackerCall(t, p, "POST", "/api/v2/tracker", req)
				if status != 201 {
					t.Fatalf("create %s: %d %v", tr.ext, status, body)
				}
				links[tr.ext] = body["referenceLinks"].(map[string]any)["trackingUrl"].(string)
			}
			if links["g-a"] != links["g-b"] || !strings.HasPrefix(links["solo"], p.URL+"/t/") {
				t.Fatalf("links %v: the group's must be one, all under %s/t/", links, p.URL)
			}

			b := newBrowser(t)
			b.language("en-GB,en;q=0.9")
			b.do(chromedp.Navigate(links["solo"]), chromedp.WaitVisible(chromedp.CSS("h2.status")))
			if got := b.text("dd.number"); got != "1Z999AA10123456784" {
				t.Errorf("the solo tracker's page shows number %q", got)
			}
			b.screenshot("tracker-page")

			b.do(chromedp.Navigate(links["g-a"]), chromedp.WaitVisible(chromedp.CSS("article.shipment")))
			if n := b.eval(`document.querySelectorAll("article.shipment").length`); n != 2 {
				t.Errorf("the group's page shows %d parcels, want 2", n)
			}
			dom := b.html()
			for _, number := range []string{"1Z999AA10123456795", "1Z999AA10123456802"} {
				if !strings.Contains(dom, number) {
					t.Errorf("the group's page does not show %s", number)
				}
			}
			if strings.Contains(dom, "1Z999AA10123456784") {
				t.Error("the group's page shows a parcel of another order")
			}
			b.screenshot("tracker-group-page")
		})
	}
}
