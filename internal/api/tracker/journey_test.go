package tracker_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/api/tracker"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// payloads renders tracker events with the face and the rest as AfterShip
// does, as the server composes them.
type payloads struct{}

func (payloads) WebhookPayload(e waybill.Event, v string) ([]byte, error) {
	if (tracker.Payloads{}).Handles(e.Type) {
		return tracker.Payloads{PublicURL: publicURL}.WebhookPayload(e, v)
	}
	return aftership.Payloads{}.WebhookPayload(e, v)
}

// receiver keeps the deliveries it gets.
type receiver struct {
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	got     chan struct{}
}

func newReceiver(t *testing.T) (*receiver, string) {
	r := &receiver{got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies, r.headers = append(r.bodies, b), append(r.headers, req.Header.Clone())
		r.mu.Unlock()
		r.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// TestSandboxJourneyWebhooks follows a tracker on the sandbox courier to
// delivery, on both engines: an endpoint registered with api_version
// "tracker" hears each status change as the tracker object with event,
// previousStatus and status, signed like every delivery; the tracker ends
// ORDER_DELIVERED; and /v4/trackings shows the same tracking with its
// order fields.
func TestSandboxJourneyWebhooks(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine, "trackers_business", payloads{})
			s.configure("Self Delivery", "sandbox")
			recv, url := newReceiver(t)
			code, ep := s.admin("POST", "/v1/webhooks", map[string]any{"url": url, "api_version": "tracker"})
			if code != http.StatusCreated || !slices.Equal(anyStrings(ep["events"]), []string{"tracker.status_changed"}) {
				t.Fatalf("create endpoint = %d %v", code, ep)
			}
			secret := ep["secret"].(string)
			if code, b := s.admin("POST", "/v1/webhooks", map[string]any{"url": url, "api_version": "tracker", "events": []string{"tracking_update"}}); code != http.StatusBadRequest {
				t.Errorf("a tracker endpoint for tracking_update = %d %v, want 400", code, b)
			}

			code, created := s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
				m["trackingId"] = "SBXDELIVERED42"
				m["deliveryTime"] = map[string]any{"endsAt": 4102444800000}
			}))
			if code != http.StatusCreated || created["status"] != "ORDER_DISPATCHED" {
				t.Fatalf("create = %d %v", code, created)
			}
			trackingID := created["source"].(map[string]any)["id"].(string)

			var changes []map[string]any
			deadline := time.After(60 * time.Second)
			for len(changes) == 0 || changes[len(changes)-1]["status"] != "ORDER_DELIVERED" {
				select {
				case <-recv.got:
				case <-deadline:
					t.Fatalf("no ORDER_DELIVERED delivery; got %v", changes)
				}
				recv.mu.Lock()
				body, h := recv.bodies[len(changes)], recv.headers[len(changes)]
				recv.mu.Unlock()
				if err := webhook.VerifyStandard(secret, h, body, time.Now(), 0); err != nil {
					t.Errorf("delivery not signed with the endpoint's secret: %v", err)
				}
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatal(err)
				}
				if err := openapitest.CheckWebhook("tracker", waybill.EventTrackerStatusChanged, body); err != nil {
					t.Error(err)
				}
				changes = append(changes, m)
			}
			prev := "ORDER_DISPATCHED"
			for _, c := range changes {
				if c["event"] != "tracker.status_changed" || c["previousStatus"] != prev || c["trackerExternalId"] != "tracker001" ||
					c["brandExternalId"] != "trackers_business" || c["trackingId"] != "SBXDELIVERED42" || c["status"] == prev {
					t.Errorf("delivery %v, want a tracker.status_changed from %s", c, prev)
				}
				if _, ok := c["referenceLinks"].(map[string]any)["trackingUrl"]; !ok {
					t.Errorf("delivery without links: %v", c)
				}
				prev, _ = c["status"].(string)
			}
			if code, b := s.tracker("GET", "/api/v2/tracker/tracker001", nil); code != http.StatusOK || b["status"] != "ORDER_DELIVERED" {
				t.Errorf("tracker after the journey = %d %v", code, b["status"])
			}

			v4 := s.v4Tracking(trackingID)
			if v4["tag"] != "Delivered" || v4["order_id"] != "tracker001" || v4["order_number"] != "tracker001" ||
				v4["customer_name"] != "Mein Wan" || v4["destination_country_iso3"] != "USA" ||
				!slices.Equal(anyStrings(v4["emails"]), []string{"nycustomer@email.com"}) || v4["source"] != "tracker" {
				t.Errorf("/v4 tracking = %v", v4)
			}
			code, list := s.admin("GET", "/v4/trackings?order_id=tracker001", nil)
			if ts, _ := list["data"].(map[string]any)["trackings"].([]any); code != http.StatusOK || len(ts) != 1 {
				t.Errorf("/v4/trackings?order_id = %d %v", code, list)
			}
		})
	}
}
