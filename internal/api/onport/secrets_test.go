package onport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// onportEventTypes are the event types the Onport renderer handles.
var onportEventTypes = []string{waybill.EventSaleDropship, waybill.EventFulfillment, waybill.EventDropshipmentAcknowledged}

// TestNoSecretsInPayloads makes an event of every Onport type, delivers
// them to a subscribed endpoint and to the channel's fulfillment URL, and
// scans every stored event (what /v1/events shows), every rendered payload
// and every delivered body for the channel's hash, the API key and the
// endpoints' signing secrets. Only the jetti-webhook-hash header of the
// channel's own fulfillment endpoint may carry the hash.
func TestNoSecretsInPayloads(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			h := newHarness(t, engine, 0)
			h.Webhooks.AllowPrivate = true
			recv := newReceiver(t)
			ch, err := h.Commerce.UpdateChannel(ctx, h.Org.ID, h.Channel.ID, commerce.ChannelInput{FulfillmentURL: ptr(recv.URL + "/fulfillments")})
			if err != nil {
				t.Fatal(err)
			}
			_, subscriberSecret, err := h.Webhooks.CreateEndpoint(ctx, h.Org.ID, webhook.EndpointInput{URL: ptr(recv.URL + "/all"),
				Events: ptr(onportEventTypes)})
			if err != nil {
				t.Fatal(err)
			}
			var stored string
			if err := h.DB.QueryRowContext(ctx, `SELECT secrets FROM webhook_endpoints WHERE channel_id = $1`, ch.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			var channelSecrets []waybill.WebhookSecret
			if err := json.Unmarshal([]byte(stored), &channelSecrets); err != nil || len(channelSecrets) == 0 {
				t.Fatalf("the fulfillment endpoint's secrets %q: %v", stored, err)
			}
			secrets := map[string]string{"channel hash": ch.WebhookHash, "API key": h.Key, "subscriber secret": subscriberSecret}
			for i, s := range channelSecrets {
				secrets[fmt.Sprintf("fulfillment endpoint secret %d", i)] = s.Secret
			}
			for name, s := range secrets {
				if len(s) < 16 {
					t.Fatalf("%s %q is too short to scan for", name, s)
				}
			}
			scan := func(what string, body []byte) {
				t.Helper()
				for name, s := range secrets {
					if strings.Contains(string(body), s) {
						t.Errorf("%s carries the %s:\n%s", what, name, body)
					}
				}
			}

			res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", ch.ID), sale("SEC1", line("L1", "vendor-a", 1)))
			if res.Status != 201 {
				t.Fatalf("manual sale: %d %s", res.Status, res.Body)
			}
			purchase := num(res.object(t)["purchases"].([]any)[0].(map[string]any)["id"])
			res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"})
			if res.Status != 201 {
				t.Fatalf("ship: %d %s", res.Status, res.Body)
			}
			res = h.api("PUT", fmt.Sprintf("/api/dropshipments/%d/acknowledge.json", num(res.object(t)["id"])), nil)
			if res.Status != 200 {
				t.Fatalf("acknowledge: %d %s", res.Status, res.Body)
			}

			events, err := h.Webhooks.Events(ctx, h.Org.ID, time.Time{}, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			p := onport.Payloads{PublicURL: "http://waybill.test"}
			seen := map[string]bool{}
			for _, e := range events {
				raw, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				scan("event "+e.Type, raw)
				if !p.Handles(e.Type) {
					continue
				}
				seen[e.Type] = true
				body, err := p.WebhookPayload(e, "")
				if err != nil {
					t.Fatalf("%s: %v", e.Type, err)
				}
				scan(e.Type+" payload", body)
			}
			for _, typ := range onportEventTypes {
				if !seen[typ] {
					t.Errorf("no %s event was made", typ)
				}
			}

			if n := deliverPending(t, h); n < 4 {
				t.Fatalf("%d deliveries, want 3 to the subscriber and 1 to the fulfillment URL", n)
			}
			for _, c := range recv.calls() {
				scan("delivered body", c.Body)
				for name, vals := range c.Header {
					if strings.EqualFold(name, webhook.ChannelHashHeader) {
						continue
					}
					scan("delivery header "+name, []byte(strings.Join(vals, " ")))
				}
			}
		})
	}
}

// TestPayloadsDropStoredHash renders events whose stored snapshot still
// carries the channel's hash (written before snapshots left it out): no
// payload may repeat it.
func TestPayloadsDropStoredHash(t *testing.T) {
	snap := fixedSnapshot()
	detail, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(detail), snap.Channel.WebhookHash) {
		t.Fatal("the fixture's snapshot should carry the hash")
	}
	for _, typ := range onportEventTypes {
		e := waybill.Event{ID: "evt", Type: typ, Detail: string(detail), CreatedAt: time.Unix(0, 0)}
		body, err := onport.Payloads{PublicURL: "http://waybill.test"}.WebhookPayload(e, "")
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if strings.Contains(string(body), snap.Channel.WebhookHash) {
			t.Errorf("%s payload carries the channel's hash:\n%s", typ, body)
		}
	}
}
