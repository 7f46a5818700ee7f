package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/webhook"
)

// countingRenderer renders payloads as serve's renderer does for tracking
// events in v4 and 2026-07 (AfterShip's bodies), and any other event as
// its whole JSON with the version, so that a body names its event and
// version; it counts its renders by event and version.
type countingRenderer struct {
	mu      sync.Mutex
	renders map[string]int // "event id version"
}

func (r *countingRenderer) WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	r.mu.Lock()
	r.renders[e.ID+" "+apiVersion]++
	r.mu.Unlock()
	return renderPayload(e, apiVersion)
}

// renderPayload is the body of e in apiVersion, rendered on its own: what
// each delivery sent before deliveries of one batch shared renderings.
func renderPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	if e.Tracking != nil && (apiVersion == "v4" || apiVersion == "2026-07") {
		return aftership.Payloads{PublicURL: "https://track.example.com"}.WebhookPayload(e, apiVersion)
	}
	return json.Marshal(struct {
		Version string        `json:"version"`
		Event   waybill.Event `json:"event"`
	}{apiVersion, e})
}

func (r *countingRenderer) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.renders))
	for k, n := range r.renders {
		out[k] = n
	}
	return out
}

// TestPayloadsRenderedOncePerEventAndVersion: the deliveries of a batch
// (those one claim takes, one push hands off, or one read of retries
// loads) render each event's payload once per API version, and every
// endpoint receives exactly the bytes its event renders to in its version
// on their own, as before the renderings were shared, signed with its own
// secret. Endpoints of every version (three v4, three 2026-07, two onport, two
// tracker) hear two tracking updates, a sale.dropship and a tracker status change.
func TestPayloadsRenderedOncePerEventAndVersion(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"claim", "hand-off", "retry"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			onEngines(t, func(t *testing.T, h *harness) {
				ctx := context.Background()
				h.svc.AllowPrivate, h.svc.ClaimFirstAttempts = true, path != "retry"
				rec := newReceiver(t, http.StatusOK)
				secrets := map[string]string{}          // URL path -> the endpoint's secret
				versionOf := map[string]string{}        // URL path -> API version
				hears := map[string][]string{"v4": nil, // the versions' events; none: the default
					"2026-07": nil, "onport": {waybill.EventSaleDropship}, "tracker": {waybill.EventTrackerStatusChanged}}
				endpoints := map[string]int{"v4": 3, "2026-07": 3, "onport": 2, "tracker": 2} // an organization has at most 10
				for _, version := range []string{"v4", "2026-07", "onport", "tracker"} {
					for i := range endpoints[version] {
						p := fmt.Sprintf("/%s/%d", version, i)
						in := webhook.EndpointInput{URL: ptr(rec.URL + p), APIVersion: ptr(version)}
						if hears[version] != nil {
							in.Events = ptr(hears[version])
						}
						_, secret, err := h.svc.CreateEndpoint(ctx, h.org.ID, in)
						if err != nil {
							t.Fatal(err)
						}
						secrets[p], versionOf[p] = secret, version
					}
				}
				renderer := &countingRenderer{renders: map[string]int{}}
				d := h.deliverer(nil)
				d.Renderer = renderer
				var f *webhook.FirstAttempts
				if path != "retry" {
					f = &webhook.FirstAttempts{Deliverer: d, Workers: 64, Poll: time.Hour}
				}
				if path == "hand-off" {
					runFirstAttempts(t, f)
				}

				tracking := func(number string, tag waybill.Tag) *waybill.Tracking {
					return &waybill.Tracking{ID: "trk-" + number, Slug: "ups", TrackingNumber: number, Tag: tag, Active: true,
						CreatedAt: h.clock(), UpdatedAt: h.clock()}
				}
				events := []waybill.Event{
					{Type: waybill.EventTrackingUpdate, Tag: waybill.TagInTransit, Tracking: tracking("1ZONCE1", waybill.TagInTransit)},
					{Type: waybill.EventTrackingUpdate, Tag: waybill.TagDelivered, FirstTag: true, Tracking: tracking("1ZONCE2", waybill.TagDelivered)},
					{Type: waybill.EventSaleDropship, Detail: `{"sale":"s-1"}`},
					{Type: waybill.EventTrackerStatusChanged, Detail: `{"tracker":"tr-1"}`},
				}
				var jobs []int64
				for i := range events {
					events[i].OrgID, events[i].CreatedAt = h.org.ID, h.clock().Add(time.Duration(i)*time.Second)
				}
				if err := h.st.WithTx(ctx, func(tx *store.Tx) error { return h.svc.DispatchMany(ctx, tx, events) }); err != nil {
					t.Fatal(err)
				}
				const want = 2*6 + 2 + 2 // each tracking update to v4 and 2026-07, the others to their own
				switch path {
				case "claim":
					runFirstAttempts(t, f) // its first claim takes every delivery
				case "retry":
					jobs = h.queue.take()
					if len(jobs) != want {
						t.Fatalf("%d delivery jobs, want %d", len(jobs), want)
					}
					var wg sync.WaitGroup
					for _, id := range jobs {
						wg.Go(func() {
							if err := d.Deliver(ctx, h.org.ID, id, 1); err != nil {
								t.Error(err)
							}
						})
					}
					wg.Wait()
				}
				waitFor(t, "every delivery", func() bool { return rec.count() >= want })
				time.Sleep(20 * time.Millisecond) // a repeat would land now

				// Every endpoint got each of its events once, in the bytes
				// its version renders on its own, signed with its secret.
				rec.mu.Lock()
				requests := append([]received(nil), rec.requests...)
				rec.mu.Unlock()
				if len(requests) != want {
					t.Errorf("%d requests, want %d", len(requests), want)
				}
				seen := map[string]bool{}
				for _, r := range requests {
					version, id := versionOf[r.path], r.header.Get(webhook.HeaderWebhookID)
					if seen[r.path+" "+id] {
						t.Errorf("%s got event %s twice", r.path, id)
					}
					seen[r.path+" "+id] = true
					stored, _, err := h.st.Read().Event(ctx, h.org.ID, id)
					if err != nil {
						t.Fatalf("event %s: %v", id, err)
					}
					body, err := renderPayload(stored, version)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(string(body), string(r.body)); diff != "" {
						t.Errorf("%s: event %s's body mismatch (-rendered on its own +delivered):\n%s", r.path, id, diff)
					}
					if err := webhook.VerifyStandard(secrets[r.path], r.header, r.body, h.clock(), 0); err != nil {
						t.Errorf("%s: webhook-signature with its own secret: %v", r.path, err)
					}
					if err := webhook.VerifyAfterShip(secrets[r.path], r.body, r.header.Get(webhook.HeaderAfterShipSignature)); err != nil {
						t.Errorf("%s: aftership-hmac-sha256 with its own secret: %v", r.path, err)
					}
					for other, secret := range secrets {
						if other != r.path && webhook.VerifyStandard(secret, r.header, r.body, h.clock(), 0) == nil {
							t.Errorf("%s's delivery verifies with %s's secret", r.path, other)
						}
					}
				}
				// One render per event and version in a batch; a read of
				// retries batches what arrives together, so there at most
				// one per delivery.
				for key, n := range renderer.counts() {
					version := key[strings.IndexByte(key, ' ')+1:]
					if path == "retry" && n <= endpoints[version] {
						continue
					}
					if n != 1 {
						t.Errorf("event %s rendered %d times for its %d %s endpoints, want once", key, n, endpoints[version], version)
					}
				}
				if n := len(renderer.counts()); n != 6 {
					t.Errorf("%d renderings (event, version), want 6: %v", n, renderer.counts())
				}
			})
		})
	}
}
