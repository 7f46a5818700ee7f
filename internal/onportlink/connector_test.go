package onportlink_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/onportlink"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// harness is a connector on a real store and queue, with its jobs worked.
type harness struct {
	st    *store.Store
	svc   *onportlink.Service
	com   *commerce.Service
	track *tracking.Service
	org   waybill.Organization
}

func newHarness(t *testing.T, engine string, box *secretbox.Box, work bool) *harness {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, engine)
	webhooks := &webhook.Service{Store: st}
	svc := &onportlink.Service{Store: st, Box: box, HTTP: onportlink.NewHTTPClient(true), PublicURL: "https://track.example",
		Throttle: &onportlink.Throttle{GetEvery: 20 * time.Millisecond, WriteEvery: 20 * time.Millisecond}, Snooze: queue.Snooze}
	trackings := &tracking.Service{Store: st, Dispatcher: svc.After(webhooks)}
	com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
	svc.Commerce, svc.Trackings = com, trackings
	h := queue.Handlers{}
	if work {
		h.OnportFetch, h.OnportWrite = svc.Fetch, svc.Write
		// Polls and deliveries are not this test's business; a client that
		// works jobs must know every kind it inserts.
		h.PollTracking = func(context.Context, int64, string, time.Time) error { return nil }
		h.DeliverWebhook = func(context.Context, int64, int64, int) error { return nil }
	}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Work: work, Workers: 1}, h)
	if err != nil {
		t.Fatal(err)
	}
	webhooks.Queue, trackings.Queue, svc.Queue = q, q, q
	if work {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})
	}
	org, err := st.Write().CreateOrg(ctx, "merchant", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &harness{st: st, svc: svc, com: com, track: trackings, org: org}
}

func ptr[T any](v T) *T { return &v }

func testBox(t *testing.T) *secretbox.Box {
	t.Helper()
	box, err := secretbox.Parse(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// TestConnectionIsCheckedAndSealed: no key, a bad URL and a refused token
// are clear errors; the stored token is sealed and bound to its row; the
// connection lists, changes and goes.
func TestConnectionIsCheckedAndSealed(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			onport := httptest.NewServer(newFakeOnport("tok_secret_123"))
			defer onport.Close()

			keyless := newHarness(t, engine, &secretbox.Box{}, false)
			_, err := keyless.svc.CreateConnection(ctx, keyless.org.ID, onportlink.ConnectionInput{APIURL: ptr(onport.URL), Token: ptr("tok_secret_123")})
			if waybill.ErrorCode(err) != waybill.EUNPROCESSABLE || !strings.Contains(waybill.ErrorMessage(err), "WAYBILL_SECRET_KEY") {
				t.Fatalf("without a key: %v", err)
			}

			h := newHarness(t, engine, testBox(t), false)
			for name, in := range map[string]onportlink.ConnectionInput{
				"no token":     {APIURL: ptr(onport.URL)},
				"ftp url":      {APIURL: ptr("ftp://x"), Token: ptr("t")},
				"nul in token": {APIURL: ptr(onport.URL), Token: ptr("a\x00b")},
				"wrong token":  {APIURL: ptr(onport.URL), Token: ptr("nope")},
			} {
				if _, err := h.svc.CreateConnection(ctx, h.org.ID, in); waybill.ErrorCode(err) != waybill.EINVALID {
					t.Errorf("%s: %v, want invalid", name, err)
				}
			}
			c, err := h.svc.CreateConnection(ctx, h.org.ID, onportlink.ConnectionInput{APIURL: ptr(onport.URL + "/"), Token: ptr("tok_secret_123"),
				WriteTrackingURL: ptr(true)})
			if err != nil {
				t.Fatal(err)
			}
			if c.APIURL != onport.URL || !c.WriteTrackingURL || c.WriteEvents || c.ChannelID == 0 {
				t.Errorf("created %+v", c)
			}
			if strings.Contains(c.SealedToken, "tok_secret_123") || !secretbox.IsSealed(c.SealedToken) {
				t.Errorf("token stored as %q", c.SealedToken)
			}
			urls := h.svc.HookURLs(c)
			if len(urls) != 3 || !strings.HasPrefix(urls["sales"], "https://track.example/v1/connectors/onport/hooks/") {
				t.Errorf("hook URLs %v", urls)
			}
			// The sealed token opens only for its own connection.
			other := c
			other.ID = strings.Repeat("0", 32)
			if err := h.st.Write().InsertOnportConnection(ctx, waybill.OnportConnection{ID: other.ID, OrgID: c.OrgID, APIURL: c.APIURL,
				SealedToken: c.SealedToken, HookToken: strings.Repeat("ab", 32), ChannelID: c.ChannelID}); err != nil {
				t.Fatal(err)
			}
			if err := h.svc.Fetch(ctx, h.org.ID, other.ID, "sale", 1); err == nil {
				t.Error("a sealed token copied to another connection opened")
			}

			got, err := h.svc.UpdateConnection(ctx, h.org.ID, c.ID, onportlink.ConnectionInput{WriteEvents: ptr(true)})
			if err != nil || !got.WriteEvents || got.SealedToken != c.SealedToken {
				t.Errorf("update: %+v %v", got, err)
			}
			if _, err := h.svc.UpdateConnection(ctx, h.org.ID, c.ID, onportlink.ConnectionInput{Token: ptr("wrong")}); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("update with a refused token: %v", err)
			}
			list, err := h.svc.Connections(ctx, h.org.ID)
			if err != nil || len(list) != 2 {
				t.Errorf("list: %d %v", len(list), err)
			}
			if _, err := h.svc.Connection(ctx, h.org.ID+1, c.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("another organization reads the connection: %v", err)
			}
			if _, err := h.svc.DeleteConnection(ctx, h.org.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := h.svc.Receive(ctx, c.HookToken, "sales", []byte(`{"id": 1}`)); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
				t.Errorf("a deleted connection's URL: %v", err)
			}
		})
	}
}

// TestReceiveQueuesOnce: a webhook is one job; the same webhook again is
// none; bad bodies are refused before anything is written.
func TestReceiveQueuesOnce(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			onport := httptest.NewServer(newFakeOnport("tok"))
			defer onport.Close()
			h := newHarness(t, engine, testBox(t), false)
			c, err := h.svc.CreateConnection(ctx, h.org.ID, onportlink.ConnectionInput{APIURL: ptr(onport.URL), Token: ptr("tok")})
			if err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{
				"not json": `{"id":`, "no id": `{"name": "x"}`, "invalid utf-8": "{\"id\": \"\xff\"}", "nul": "{\"id\": \"1\x00\"}",
				"negative": `{"id": -4}`, "string id": `{"id": "abc"}`,
			} {
				if _, err := h.svc.Receive(ctx, c.HookToken, "sales", []byte(body)); waybill.ErrorCode(err) != waybill.EINVALID {
					t.Errorf("%s: %v", name, err)
				}
			}
			if _, err := h.svc.Receive(ctx, strings.Repeat("ab", 32), "sales", []byte(`{"id": 1}`)); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
				t.Errorf("unknown token: %v", err)
			}
			if _, err := h.svc.Receive(ctx, c.HookToken, "orders", []byte(`{"id": 1}`)); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("unknown kind: %v", err)
			}
			bundle := []byte(`{"instance": {"id": 11, "trackingNumber": null}, "fulfillmentItems": [], "sale": {"id": 1}}`)
			for i, tt := range []struct {
				kind string
				body []byte
				dup  bool
				res  string
				id   int64
			}{
				{"sales", []byte(`{"id": 1}`), false, "sale", 1},
				{"sales", []byte(`{"id": 1}`), true, "sale", 1},
				{"fulfillments", bundle, false, "dropshipment", 11},
				{"fulfillments", bundle, true, "dropshipment", 11},
				{"dropshipments", []byte(`{"id": 11, "updatedAt": "later"}`), false, "dropshipment", 11},
			} {
				r, err := h.svc.Receive(ctx, c.HookToken, tt.kind, tt.body)
				if err != nil || r.Duplicate != tt.dup || r.Kind != tt.res || r.ResourceID != tt.id {
					t.Errorf("%d: %+v %v", i, r, err)
				}
			}
			var jobs int
			if err := h.st.Writer().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'onport_fetch'`).Scan(&jobs); err != nil {
				t.Fatal(err)
			}
			if jobs != 3 {
				t.Errorf("%d fetch jobs, want 3 (one per distinct webhook)", jobs)
			}
		})
	}
}
