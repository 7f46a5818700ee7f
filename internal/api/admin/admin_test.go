package admin_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/trackers"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// stack is a running Waybill (HTTP server and queue workers) over a real
// database, with one organization.
type stack struct {
	t        testing.TB
	URL      string
	Key      string
	Org      waybill.Organization
	Inbound  *inbound.Ingester // stores inbound messages, for the API logs
	Webhooks *webhook.Service
	Returns  *returns.Service
	// OpenAPI checks exchanges against the admin, v4 and 2026-07 documents. The
	// server checks every exchange itself, except in a fuzz target, whose
	// *testing.F cannot report: there requests go through OpenAPI.Client(t).
	OpenAPI *openapitest.Validator
}

func newStack(t testing.TB, engine string) *stack {
	t.Helper()
	st := testdb.Open(t, engine)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tenants := &tenant.Service{Store: st}
	org, key, err := tenants.CreateOrg(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	carriers := carrier.NewRegistry()
	carriers.Register(carrier.SandboxSlug, carrier.NewSandbox(50*time.Millisecond))
	webhooks := &webhook.Service{Store: st, AllowPrivate: true}
	rets := &returns.Service{Store: st, Events: webhooks}
	trackings := &tracking.Service{Store: st, Dispatcher: rets.After(webhooks), Carriers: carriers, SandboxStep: 50 * time.Millisecond}
	rets.Trackings = trackings
	schedule, _ := webhook.ParseSchedule("50ms,100ms,200ms")
	deliverer := &webhook.Deliverer{Service: webhooks, Renderer: aftership.Payloads{}, Schedule: schedule, Snooze: queue.Snooze,
		Client: webhook.NewClient(webhook.ClientOptions{TotalTimeout: 5 * time.Second, AllowPrivate: true})}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Workers: 4, WebhookWorkers: 16, Work: true, PollInterval: 20 * time.Millisecond, Logger: logger},
		queue.Handlers{PollTracking: trackings.Poll, DeliverWebhook: deliverer.Deliver})
	if err != nil {
		t.Fatal(err)
	}
	trackings.Queue, webhooks.Queue = q, q
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
	ing := inbound.NewIngester(st, logger)
	ingDone := make(chan struct{})
	go func() { ing.Run(ctx); close(ingDone) }()
	a := &admin.API{Checkpoints: trackings, Webhooks: webhooks, Channels: com, Logs: inbound.Logs{Store: st}, Auth: tenants,
		MaxBodyBytes: 1 << 20, Logger: logger, Trackers: &trackers.Service{Store: st, Trackings: trackings, Webhooks: webhooks},
		Imports: trackings, Returns: rets, Couriers: trackings}
	as := &aftership.API{Trackings: trackings, Auth: tenants, Limits: aftership.NewRateLimiter(0), MaxBodyBytes: 1 << 20, Logger: logger}
	docs := openapitest.New(t, "admin", "v4", "2026-07")
	handler := httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, a, as).Handler()
	if _, fuzz := t.(*testing.F); !fuzz {
		handler = docs.Handler(t, handler)
	}
	srv := httptest.NewServer(handler)
	s := &stack{t: t, URL: srv.URL, Key: key, Org: org, Inbound: ing, Webhooks: webhooks, Returns: rets, OpenAPI: docs}
	t.Cleanup(func() {
		srv.Close()
		stopCtx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = q.Stop(stopCtx)
		cancel()
		<-ingDone
	})
	return s
}

func (s *stack) call(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if b, ok := body.(string); ok {
		rd = strings.NewReader(b)
	} else if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("as-api-key", s.Key)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// hookReceiver records deliveries.
type hookReceiver struct {
	mu       sync.Mutex
	bodies   []map[string]any
	headers  []http.Header
	raw      [][]byte
	status   int
	received chan struct{}
}

func newReceiver(t *testing.T, status int) (*hookReceiver, string) {
	r := &hookReceiver{status: status, received: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		r.mu.Lock()
		r.bodies, r.headers, r.raw = append(r.bodies, m), append(r.headers, req.Header.Clone()), append(r.raw, body)
		r.mu.Unlock()
		w.WriteHeader(r.status)
		r.received <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func (r *hookReceiver) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-r.received:
		case <-time.After(30 * time.Second):
			t.Fatalf("waited for delivery %d of %d", i+1, n)
		}
	}
}

func TestCheckpointPushAndWebhooks(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			rec, url := newReceiver(t, 200)
			status, ep := s.call("POST", "/v1/webhooks", map[string]any{"url": url, "events": []string{"tracking_update"}})
			if status != 201 || ep["secret"] == nil {
				t.Fatalf("create webhook: %d %v", status, ep)
			}
			secret := ep["secret"].(string)

			push := map[string]any{"slug": "dhl", "tracking_number": "PUSH0001", "checkpoints": []map[string]any{
				{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Shipment picked up", "city": "Leipzig", "country_region": "DE", "tag": "InTransit", "subtag": "InTransit_002"},
			}}
			status, res := s.call("POST", "/v1/checkpoints", push)
			if status != 201 || res["created"] != true || res["checkpoints_added"] != float64(1) || res["tag"] != "InTransit" {
				t.Fatalf("first push: %d %v", status, res)
			}
			// The same push again is ignored: no checkpoint, no event.
			status, again := s.call("POST", "/v1/checkpoints", push)
			if status != 200 || again["checkpoints_added"] != float64(0) || len(again["events"].([]any)) != 0 {
				t.Fatalf("repeated push: %d %v", status, again)
			}
			rec.wait(t, 1)
			rec.mu.Lock()
			body, hdr, raw := rec.bodies[0], rec.headers[0], rec.raw[0]
			rec.mu.Unlock()
			if body["event"] != "tracking_update" || body["event_id"] != res["events"].([]any)[0] {
				t.Errorf("payload %v", body)
			}
			msg := body["msg"].(map[string]any)
			if msg["tag"] != "InTransit" || msg["tracking_number"] != "PUSH0001" {
				t.Errorf("msg %v", msg)
			}
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(raw)
			if hdr.Get("aftership-hmac-sha256") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
				t.Error("aftership-hmac-sha256 does not verify")
			}
			if hdr.Get("webhook-id") != body["event_id"] || hdr.Get("webhook-timestamp") == "" || !strings.HasPrefix(hdr.Get("webhook-signature"), "v1,") {
				t.Errorf("standard webhooks headers: %v", hdr)
			}

			// Attempts are recorded and queryable per endpoint and per event.
			id := ep["id"].(string)
			eventID := body["event_id"].(string)
			var attempts []any
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				_, a := s.call("GET", "/v1/webhooks/"+id+"/attempts", nil)
				if attempts = a["attempts"].([]any); len(attempts) > 0 {
					break
				}
			}
			if len(attempts) != 1 || attempts[0].(map[string]any)["status_code"] != float64(200) {
				t.Fatalf("attempts: %v", attempts)
			}
			if _, a := s.call("GET", "/v1/events/"+eventID+"/attempts", nil); len(a["attempts"].([]any)) != 1 {
				t.Errorf("event attempts: %v", a)
			}

			// Replay sends the same event id again.
			if status, r := s.call("POST", "/v1/events/"+eventID+"/replay", nil); status != 202 || r["deliveries_queued"] != float64(1) {
				t.Fatalf("replay: %d %v", status, r)
			}
			rec.wait(t, 1)
			rec.mu.Lock()
			if rec.bodies[1]["event_id"] != eventID {
				t.Errorf("replayed event id %v, want %s", rec.bodies[1]["event_id"], eventID)
			}
			rec.mu.Unlock()

			// Rotation: the new secret is returned once; both sign during the overlap.
			status, rot := s.call("POST", "/v1/webhooks/"+id+"/rotate-secret", nil)
			if status != 200 || rot["secret"] == nil || rot["secret"] == secret {
				t.Fatalf("rotate: %d %v", status, rot)
			}
			s.call("POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": "PUSH0001", "checkpoints": []map[string]any{
				{"checkpoint_time": "2026-11-21T08:00:00Z", "message": "Out for delivery", "tag": "OutForDelivery"}}})
			rec.wait(t, 1)
			rec.mu.Lock()
			sigs := strings.Fields(rec.headers[2].Get("webhook-signature"))
			rec.mu.Unlock()
			if len(sigs) != 2 {
				t.Errorf("during rotation, webhook-signature has %d signatures, want 2", len(sigs))
			}
			if _, g := s.call("GET", "/v1/webhooks/"+id, nil); g["secret"] != nil {
				t.Error("GET shows the secret")
			}

			// A range replay sends both events of the tracking again.
			if status, r := s.call("POST", "/v1/webhooks/"+id+"/replay?since=2000-01-01T00:00:00Z", nil); status != 202 || r["deliveries_queued"] != float64(2) {
				t.Fatalf("range replay: %d %v", status, r)
			}
			if status, r := s.call("POST", "/v1/webhooks/"+id+"/replay", nil); status != 400 || r["error"] == nil {
				t.Errorf("range replay without since: %d %v", status, r)
			}
			rec.wait(t, 2)
		})
	}
}

func TestWebhookAdminValidation(t *testing.T) {
	s := newStack(t, "sqlite")
	for _, tt := range []struct {
		body   any
		status int
	}{
		{`{"url": `, 400},
		{map[string]any{}, 400},
		{map[string]any{"url": "ftp://example.com"}, 400},
		{map[string]any{"url": "https://example.com", "events": []string{"parcel_teleported"}}, 400},
		{map[string]any{"url": "https://example.com", "tags": []string{"Lost"}}, 400},
		{map[string]any{"url": "https://example.com", "api_version": "v3"}, 400},
	} {
		if status, body := s.call("POST", "/v1/webhooks", tt.body); status != tt.status || body["error"] == nil {
			t.Errorf("POST /v1/webhooks %v: %d %v, want %d with an error", tt.body, status, body, tt.status)
		}
	}
	for i := 0; i < 10; i++ {
		if status, _ := s.call("POST", "/v1/webhooks", map[string]any{"url": "https://example.com/hook"}); status != 201 {
			t.Fatalf("endpoint %d: %d", i+1, status)
		}
	}
	if status, _ := s.call("POST", "/v1/webhooks", map[string]any{"url": "https://example.com/hook"}); status != 409 {
		t.Errorf("11th endpoint: %d, want 409", status)
	}
	if status, _ := s.call("POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": "X1", "checkpoints": []map[string]any{{"checkpoint_time": "yesterday"}}}); status != 400 {
		t.Errorf("bad checkpoint_time: %d", status)
	}
	if status, _ := s.call("POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": "X1", "checkpoints": []map[string]any{{"checkpoint_time": "2026-01-01T00:00:00Z", "tag": "Lost"}}}); status != 400 {
		t.Errorf("bad tag: %d", status)
	}
	if status, _ := s.call("GET", "/v4/trackings/dhl/X1", nil); status != 404 {
		t.Errorf("a refused push left a tracking: %d", status)
	}
}

// testWriter sends log lines to the test's log, shown when it fails.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}
