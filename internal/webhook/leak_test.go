package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestNoSecretsInEventsOrPayloads: nothing internal/webhook writes or sends
// carries a webhook secret, the organization's API key or a channel's hash,
// except the channel hash header that goes, by design, to the channel's own
// fulfillment URL. It covers every event the package records (deliveries
// dispatched, an endpoint disabled after a 410), every body and header
// delivered, and every attempt recorded.
func TestNoSecretsInEventsOrPayloads(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		apiKey := store.NewAPIKey()
		if _, err := h.st.Write().AddAPIKey(ctx, h.org.ID, apiKey, h.clock()); err != nil {
			t.Fatal(err)
		}
		const hash = "chanhash0123456789abcdef0123456789"
		ok, gone, shop := newReceiver(t, http.StatusOK), newReceiver(t, http.StatusGone), newReceiver(t, http.StatusOK)
		var secrets []string
		create := func(url string, events ...string) waybill.WebhookEndpoint {
			ep, s, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(url), Events: &events})
			if err != nil {
				t.Fatal(err)
			}
			_, s2, err := h.svc.RotateSecret(ctx, h.org.ID, ep.ID)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, s, s2)
			return ep
		}
		create(ok.URL+"/all", waybill.EventTrackingUpdate, waybill.EventFulfillment)
		create(gone.URL+"/gone", waybill.EventTrackingUpdate)
		err := h.st.WithTx(ctx, func(tx *store.Tx) error {
			return h.svc.SetChannelEndpoint(ctx, tx, waybill.Channel{ID: 5, OrgID: h.org.ID, WebhookHash: hash, FulfillmentURL: shop.URL + "/f"})
		})
		if err != nil {
			t.Fatal(err)
		}
		chEP, err := h.st.Read().ChannelEndpoint(ctx, h.org.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range chEP.Secrets {
			secrets = append(secrets, s.Secret)
		}

		body := []byte(`{"event":"x","msg":{"id":"t1"}}`)
		ids := h.dispatch(t, waybill.Event{Type: waybill.EventTrackingUpdate, Tag: waybill.TagInTransit})
		ids = append(ids, h.dispatch(t, waybill.Event{Type: waybill.EventFulfillment, ChannelID: 5})...)
		if len(ids) != 4 {
			t.Fatalf("%d deliveries scheduled, want 4 (two tracking, two fulfillment)", len(ids))
		}
		d := h.deliverer(body)
		for _, id := range ids {
			if err := d.Deliver(ctx, h.org.ID, id, 1); err != nil {
				t.Fatal(err)
			}
		}

		// What must never appear: the secrets (also without their prefix),
		// the API key and the channel hash.
		forbidden := []string{apiKey, hash}
		for _, s := range secrets {
			forbidden = append(forbidden, s, strings.TrimPrefix(s, webhook.SecretPrefix))
		}
		scan := func(what string, text []byte) {
			t.Helper()
			for _, f := range forbidden {
				if bytes.Contains(text, []byte(f)) {
					t.Errorf("%s contains a secret (%.10s…)", what, f)
				}
			}
		}

		events, _, err := h.st.Read().Events(ctx, h.org.ID, time.Time{}, time.Time{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		sawDisabled := false
		for _, e := range events {
			j, _ := json.Marshal(e)
			scan("event "+e.Type, j)
			sawDisabled = sawDisabled || e.Type == waybill.EventEndpointDisabled
		}
		if !sawDisabled {
			t.Error("no webhook_endpoint_disabled event: the 410 path was not exercised")
		}
		attempts, err := h.svc.Attempts(ctx, h.org.ID, "", "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(attempts) != 4 {
			t.Errorf("%d attempts recorded, want 4", len(attempts))
		}
		j, _ := json.Marshal(attempts)
		scan("attempts", j)

		for name, r := range map[string]*receiver{"endpoint": ok, "gone endpoint": gone, "channel endpoint": shop} {
			r.mu.Lock()
			reqs := r.requests
			r.mu.Unlock()
			if len(reqs) == 0 {
				t.Errorf("%s got nothing", name)
			}
			for _, req := range reqs {
				if !bytes.Equal(req.body, body) {
					t.Errorf("%s got body %s, want the rendered payload unchanged", name, req.body)
				}
				hdr := req.header.Clone()
				if r == shop {
					if hdr.Get(webhook.ChannelHashHeader) != hash {
						t.Errorf("channel endpoint got %s %q, want the channel's hash", webhook.ChannelHashHeader, hdr.Get(webhook.ChannelHashHeader))
					}
					hdr.Del(webhook.ChannelHashHeader)
				}
				var all bytes.Buffer
				_ = hdr.Write(&all)
				scan(name+" request headers", all.Bytes())
			}
		}
	})
}
