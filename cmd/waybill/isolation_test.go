package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTenantIsolation runs `waybill serve` on each engine with two
// organizations. A creates a tracking with recipients, a webhook endpoint,
// a channel, a sale with a purchase and a dropshipment. B, with its own
// key, then reads, changes and deletes each of them by A's ids on every
// face: every attempt answers 404, as for an id that does not exist; B's
// listings show nothing of A's; and A's records are as they were.
func TestTenantIsolation(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			p := startServe(t, dbURL, "WAYBILL_LOG_LEVEL=warn", "WAYBILL_RATE_LIMIT_V4=0", "WAYBILL_RATE_LIMIT_SCALE=0")
			st, err := store.Open(t.Context(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			st.Writer().SetMaxOpenConns(2)
			rig := &concurrencyRig{p: p, st: st, db: st.Writer(), client: &http.Client{}}
			a, b := rig.newFixture(t), rig.newFixture(t)

			// A's records.
			status, body := a.do(t, "POST", "/v4/trackings", map[string]any{"tracking": map[string]any{
				"slug": "dhl", "tracking_number": "1234567890", "title": "A's parcel", "emails": []string{"a-buyer@example.com"}}})
			if status != 201 {
				t.Fatalf("A creates a tracking: %d %v", status, body)
			}
			tracking := body["data"].(map[string]any)["tracking"].(map[string]any)["id"].(string)
			status, body = a.do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://a-hooks.example.com/in"})
			if status != 201 {
				t.Fatalf("A creates a webhook: %d %v", status, body)
			}
			endpoint := body["id"].(string)
			a.channelAndSale(t)
			channel := a.ids["channel"]
			status, sale := a.do(t, "POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", channel), raceSaleBody())
			if status != 201 {
				t.Fatalf("A's sale: %d %v", status, sale)
			}
			saleID := int64(sale["id"].(float64))
			purchase := int64(sale["purchases"].([]any)[0].(map[string]any)["id"].(float64))
			customer := int64(sale["customerId"].(float64))
			status, d := a.do(t, "POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"})
			if status != 201 {
				t.Fatalf("A ships: %d %v", status, d)
			}
			dropshipment := int64(d["id"].(float64))
			status, body = a.do(t, "GET", "/v1/events", nil)
			if status != 200 || len(body["events"].([]any)) == 0 {
				t.Fatalf("A's events: %d %v", status, body)
			}
			event := body["events"].([]any)[0].(map[string]any)["event_id"].(string)

			snapshot := func() string {
				var out strings.Builder
				for _, path := range []string{"/v4/notifications/" + tracking, "/v1/webhooks/" + endpoint,
					fmt.Sprintf("/v1/channels/%d", channel), fmt.Sprintf("/api/sales/%d.json", saleID),
					fmt.Sprintf("/api/dropshipments/%d.json", dropshipment), fmt.Sprintf("/api/customers/%d.json", customer)} {
					status, body := a.do(t, "GET", path, nil)
					fmt.Fprintf(&out, "%s %d %s\n", path, status, stable(body))
				}
				status, body := a.do(t, "GET", "/v4/trackings/"+tracking, nil)
				tr, _ := body["data"].(map[string]any)["tracking"].(map[string]any)
				fmt.Fprintf(&out, "tracking %d %v %v %v\n", status, tr["title"], tr["active"], tr["emails"])
				return out.String()
			}
			before := snapshot()

			dated := "/tracking/2026-07/trackings/" + tracking
			sid, pid, did, cid := fmt.Sprint(saleID), fmt.Sprint(purchase), fmt.Sprint(dropshipment), fmt.Sprint(channel)
			for _, try := range []struct {
				method, path string
				body         any
			}{
				// AfterShip v4 and the dated API.
				{"GET", "/v4/trackings/" + tracking, nil},
				{"GET", "/v4/trackings/dhl/1234567890", nil},
				{"PUT", "/v4/trackings/" + tracking, map[string]any{"tracking": map[string]any{"title": "B was here"}}},
				{"POST", "/v4/trackings/" + tracking + "/retrack", nil},
				{"POST", "/v4/trackings/" + tracking + "/mark-as-completed", map[string]any{"reason": "DELIVERED"}},
				{"GET", "/v4/last_checkpoint/" + tracking, nil},
				{"GET", "/v4/notifications/dhl/1234567890", nil},
				{"POST", "/v4/notifications/" + tracking + "/add", map[string]any{"notification": map[string]any{"emails": []string{"b@example.com"}}}},
				{"POST", "/v4/notifications/" + tracking + "/remove", map[string]any{"notification": map[string]any{"emails": []string{"a-buyer@example.com"}}}},
				{"GET", dated, nil},
				{"PUT", dated, map[string]any{"title": "B was here"}},
				{"POST", dated + "/retrack", nil},
				{"POST", dated + "/mark-as-completed", map[string]any{"reason": "DELIVERED"}},
				{"DELETE", dated, nil},
				{"DELETE", "/v4/trackings/" + tracking, nil},
				// The admin face.
				{"GET", "/v1/webhooks/" + endpoint, nil},
				{"PATCH", "/v1/webhooks/" + endpoint, map[string]any{"url": "https://b-hooks.example.com/in"}},
				{"POST", "/v1/webhooks/" + endpoint + "/rotate-secret", nil},
				{"GET", "/v1/webhooks/" + endpoint + "/attempts", nil},
				{"DELETE", "/v1/webhooks/" + endpoint, nil},
				{"GET", "/v1/events/" + event + "/attempts", nil},
				{"POST", "/v1/events/" + event + "/replay", nil},
				{"GET", "/v1/channels/" + cid, nil},
				{"PATCH", "/v1/channels/" + cid, map[string]any{"name": "B's now"}},
				// Onport.
				{"GET", "/api/sales/" + sid + ".json", nil},
				{"GET", "/api/purchases/" + pid + ".json", nil},
				{"GET", "/api/dropshipments/" + did + ".json", nil},
				{"GET", "/api/customers/" + fmt.Sprint(customer) + ".json", nil},
				{"GET", "/api/channels/" + cid + ".json", nil},
				{"POST", "/api/channels/" + cid + "/manual-sale.json", raceSaleBody()},
				{"POST", "/api/purchases/" + pid + "/ship.json", map[string]any{"trackingNumber": "1Z999AA10123456785", "trackingCompany": "UPS"}},
				{"PUT", "/api/dropshipments/" + did + "/acknowledge.json", nil},
			} {
				if status, body := b.do(t, try.method, try.path, try.body); status != http.StatusNotFound {
					t.Errorf("B: %s %s answered %d %v, want 404", try.method, try.path, status, body)
				}
			}

			// B's listings show nothing of A's.
			for _, path := range []string{"/v4/trackings", "/tracking/2026-07/trackings", "/v1/webhooks", "/v1/events",
				"/v1/channels", "/v1/notifications", "/v1/api-logs", "/api/sales.json", "/api/purchases.json",
				"/api/dropshipments.json", "/api/customers.json", "/api/channels.json", "/api/variants.json", "/api/tracking-events.json"} {
				status, raw := b.raw(t, "GET", path)
				if status != 200 {
					t.Errorf("B lists %s: %d %s", path, status, raw)
				}
				for _, mark := range []string{tracking, "1234567890", "a-hooks.example.com", "RACE-1", "ada@example.com", "1Z999AA10123456784", endpoint} {
					if strings.Contains(raw, mark) {
						t.Errorf("B lists %s and sees A's %q: %.300s", path, mark, raw)
					}
				}
			}
			if after := snapshot(); after != before {
				t.Errorf("A's records changed after B's attempts:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// raw sends a GET with the fixture's keys and returns the body as text.
func (f *fixture) raw(t *testing.T, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, f.rig.p.URL+path, nil)
	req.Header.Set("aftership-api-key", f.key)
	req.Header.Set("as-api-key", f.key)
	req.Header.Set("Authorization", "Bearer "+f.key)
	res, err := f.rig.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// stable renders a response without the fields that change on their own
// (timestamps of deliveries and polls).
func stable(body map[string]any) string {
	var drop func(v any) any
	drop = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, x := range v {
				if l := strings.ToLower(k); !strings.Contains(l, "updated") && !strings.Contains(l, "failing") && !strings.Contains(l, "enabled") && !strings.Contains(l, "disabled") {
					out[k] = drop(x)
				}
			}
			return out
		case []any:
			for i := range v {
				v[i] = drop(v[i])
			}
		}
		return v
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(drop(body))
	return b.String()
}
