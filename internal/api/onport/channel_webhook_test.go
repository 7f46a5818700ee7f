package onport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// receiver is a loopback server that records what it is sent.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []receivedCall
}

type receivedCall struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, receivedCall{Header: req.Header.Clone(), Body: body})
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) calls() []receivedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedCall(nil), r.got...)
}

// deliverPending makes the first attempt of every pending delivery, as the
// queue's deliver_webhook job would, and returns how many it made.
func deliverPending(t *testing.T, h *harness) int {
	t.Helper()
	d := &webhook.Deliverer{Service: h.Webhooks, Client: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true}),
		Renderer: onport.Payloads{PublicURL: "http://waybill.test"}, Snooze: func(time.Duration) error { return nil }}
	rows, err := h.DB.QueryContext(context.Background(), `SELECT id FROM deliveries WHERE status = 'pending' AND attempts = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := d.Deliver(context.Background(), h.Org.ID, id, 1); err != nil {
			t.Fatalf("deliver %d: %v", id, err)
		}
	}
	return len(ids)
}

// TestChannelFulfillmentWebhook configures a channel's fulfillment URL and
// checks that shipping one of its sales delivers Onport's bundle there,
// with the channel's hash in the jetti-webhook-hash header; that another
// channel's shipments do not reach it; that the endpoint stays out of
// /v1/webhooks; and that removing the URL stops the deliveries.
func TestChannelFulfillmentWebhook(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			h.Webhooks.AllowPrivate = true
			recv := newReceiver(t)

			res := h.do("POST", "/v1/channels", map[string]any{"name": "Shop", "fulfillment_url": recv.URL + "/fulfillments"}, "as-api-key", h.Key)
			if res.Status != 201 {
				t.Fatalf("create channel: %d %s", res.Status, res.Body)
			}
			var shop waybill.Channel
			if err := json.Unmarshal(res.Body, &shop); err != nil {
				t.Fatal(err)
			}

			ship := func(ch waybill.Channel, ext, number string) {
				t.Helper()
				res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", ch.ID), sale(ext, line("L1", "vendor-a", 1)))
				if res.Status != 200 && res.Status != 201 {
					t.Fatalf("manual sale: %d %s", res.Status, res.Body)
				}
				purchase := num(res.object(t)["purchases"].([]any)[0].(map[string]any)["id"])
				res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), map[string]any{"trackingNumber": number, "trackingCompany": "UPS"})
				if res.Status != 201 {
					t.Fatalf("ship: %d %s", res.Status, res.Body)
				}
			}

			ship(shop, "S1", "1Z999AA10123456784")
			ship(h.Channel, "OTHER1", "1Z999AA10123456791") // the harness's channel has no fulfillment URL
			deliverPending(t, h)
			calls := recv.calls()
			if len(calls) != 1 {
				t.Fatalf("receiver got %d calls, want 1 (the Shop channel's shipment only)", len(calls))
			}
			if got := calls[0].Header.Get("jetti-webhook-hash"); got != shop.WebhookHash {
				t.Errorf("jetti-webhook-hash = %q, want the channel's hash %q", got, shop.WebhookHash)
			}
			checkShape(t, calls[0].Body)
			var bundle struct {
				Instance struct {
					TrackingNumber  string `json:"trackingNumber"`
					TrackingCompany string `json:"trackingCompany"`
				} `json:"instance"`
				Sale struct {
					ExternalID string `json:"externalId"`
					Channel    struct {
						ID int64 `json:"id"`
					} `json:"channel"`
				} `json:"sale"`
			}
			if err := json.Unmarshal(calls[0].Body, &bundle); err != nil {
				t.Fatal(err)
			}
			if bundle.Instance.TrackingNumber != "1Z999AA10123456784" || bundle.Sale.ExternalID != "S1" || bundle.Sale.Channel.ID != shop.ID {
				t.Errorf("bundle carries the wrong shipment: %s", calls[0].Body)
			}

			eps, err := h.Webhooks.Endpoints(context.Background(), h.Org.ID)
			if err != nil || len(eps) != 0 {
				t.Errorf("/v1/webhooks lists %d endpoints (%v); the channel's endpoint must stay out of it", len(eps), err)
			}

			res = h.do("PATCH", fmt.Sprintf("/v1/channels/%d", shop.ID), map[string]any{"fulfillment_url": ""}, "as-api-key", h.Key)
			if res.Status != 200 {
				t.Fatalf("clear fulfillment_url: %d %s", res.Status, res.Body)
			}
			ship(shop, "S2", "1Z999AA10123456808")
			if n := deliverPending(t, h); n != 0 || len(recv.calls()) != 1 {
				t.Errorf("after the URL was removed: %d deliveries, %d calls; want none new", n, len(recv.calls()))
			}
		})
	}
}
