package webhook_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/webhook"
)

// ssrfSpellings register as loopback targets unless the guard reads the
// host the way net/http will dial it (issue 10).
var ssrfSpellings = []string{
	"http://①②⑦.0.0.1/",
	"http://𝟏𝟐𝟕.0.0.1/",
	"http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/",
	"http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ./hook",
	"http://⑯⑨.②⑤④.①⑥⑨.②⑤④/latest/meta-data/",
	"http://localhost../",
}

// TestRegistrationRefusesSSRFSpellings: webhook endpoints and channel
// fulfillment URLs refuse every spelling of a private target, at create and
// at update, and nothing is stored.
func TestRegistrationRefusesSSRFSpellings(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ok, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr("https://hooks.example.com/in")})
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range ssrfSpellings {
			_, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(raw)})
			if waybill.ErrorCode(err) != waybill.EINVALID || !strings.Contains(err.Error(), "url is refused") {
				t.Errorf("CreateEndpoint(%s) = %v, want EINVALID url is refused", raw, err)
			}
			if _, err := h.svc.UpdateEndpoint(ctx, h.org.ID, ok.ID, webhook.EndpointInput{URL: ptr(raw)}); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("UpdateEndpoint(%s) = %v, want EINVALID", raw, err)
			}
			err = h.st.WithTx(ctx, func(tx *store.Tx) error {
				return h.svc.SetChannelEndpoint(ctx, tx, waybill.Channel{ID: 7, OrgID: h.org.ID, WebhookHash: "h", FulfillmentURL: raw})
			})
			if waybill.ErrorCode(err) != waybill.EINVALID || !strings.Contains(err.Error(), "fulfillment_url is refused") {
				t.Errorf("SetChannelEndpoint(%s) = %v, want EINVALID fulfillment_url is refused", raw, err)
			}
		}
		es, _, err := h.st.Read().Endpoints(ctx, h.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].URL != "https://hooks.example.com/in" {
			t.Errorf("stored endpoints = %+v, want only the public one, unchanged", es)
		}
	})
}

// TestEndpointCapUnderConcurrency: 50 concurrent creates leave exactly
// MaxWebhookEndpoints endpoints, and every other create gets the cap's
// conflict, not an internal error. Channel endpoints do not count.
func TestEndpointCapUnderConcurrency(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		err := h.st.WithTx(ctx, func(tx *store.Tx) error {
			return h.svc.SetChannelEndpoint(ctx, tx, waybill.Channel{ID: 3, OrgID: h.org.ID, WebhookHash: "h", FulfillmentURL: "https://shop.example/f"})
		})
		if err != nil {
			t.Fatal(err)
		}
		warmPool(t, h.st)
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, _, errs[i] = h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(fmt.Sprintf("https://h%d.example/in", i))})
			})
		}
		close(start)
		wg.Wait()
		created, refused := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case waybill.ErrorCode(err) == waybill.ECONFLICT && strings.Contains(err.Error(), "at most 10 webhook endpoints"):
				refused++
			default:
				t.Errorf("CreateEndpoint: %v, want success or the cap's conflict", err)
			}
		}
		if created != waybill.MaxWebhookEndpoints || refused != n-waybill.MaxWebhookEndpoints {
			t.Errorf("%d created, %d refused; want %d and %d", created, refused, waybill.MaxWebhookEndpoints, n-waybill.MaxWebhookEndpoints)
		}
		own, err := h.svc.Endpoints(ctx, h.org.ID)
		if err != nil || len(own) != waybill.MaxWebhookEndpoints {
			t.Errorf("Endpoints = %d, %v; want %d", len(own), err, waybill.MaxWebhookEndpoints)
		}
		all, _, err := h.st.Read().Endpoints(ctx, h.org.ID)
		if err != nil || len(all) != waybill.MaxWebhookEndpoints+1 {
			t.Errorf("stored endpoints = %d, %v; want %d and the channel's", len(all), err, waybill.MaxWebhookEndpoints)
		}
		// Another organization has its own cap.
		other, err := h.st.Write().CreateOrg(ctx, "other", h.clock())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := h.svc.CreateEndpoint(ctx, other.ID, webhook.EndpointInput{URL: ptr("https://o.example/in")}); err != nil {
			t.Errorf("another organization's first endpoint: %v", err)
		}
	})
}

// warmPool opens the writer pool's connections up front, so that
// concurrent transactions start together instead of one per new
// connection.
func warmPool(t *testing.T, st *store.Store) {
	t.Helper()
	if st.Engine() != store.Postgres {
		return
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, err := st.Writer().Exec(`SELECT pg_sleep(0.05)`); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
