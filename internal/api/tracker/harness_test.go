package tracker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/api/tracker"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/trackers"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

const publicURL = "https://track.example.com"

// stack is a running Waybill with the Tracker API, the admin face and the
// AfterShip face over a real database, with one organization (and
// another, whose key is Other.Key). Tracking events reach the webhooks.
type stack struct {
	t         testing.TB
	URL       string
	Key       string
	Org       waybill.Organization
	Trackers  *trackers.Service
	Trackings *tracking.Service
	Webhooks  *webhook.Service
	Other     struct{ Key string } // a second organization's key
	// OpenAPI checks exchanges against the Tracker API, admin, v4 and 2026-07
	// documents. The server checks every exchange itself, except in a fuzz
	// target, whose *testing.F cannot report: there do checks from the
	// client, reporting to the run's t.
	OpenAPI      *openapitest.Validator
	checkClients bool
}

func newStack(t testing.TB, engine, orgName string, renderer webhook.PayloadRenderer) *stack {
	t.Helper()
	st := testdb.Open(t, engine)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tenants := &tenant.Service{Store: st}
	org, key, err := tenants.CreateOrg(context.Background(), orgName)
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := tenants.CreateOrg(context.Background(), orgName+"-other")
	if err != nil {
		t.Fatal(err)
	}
	carriers := carrier.NewRegistry()
	carriers.Register(carrier.SandboxSlug, carrier.NewSandbox(50*time.Millisecond))
	webhooks := &webhook.Service{Store: st, AllowPrivate: true}
	trackings := &tracking.Service{Store: st, Carriers: carriers, SandboxStep: 50 * time.Millisecond}
	core := &trackers.Service{Store: st, Trackings: trackings, Webhooks: webhooks}
	trackings.Dispatcher = core.Dispatcher(webhooks, nil)
	if renderer == nil {
		renderer = aftership.Payloads{}
	}
	schedule, _ := webhook.ParseSchedule("50ms,100ms,200ms")
	deliverer := &webhook.Deliverer{Service: webhooks, Renderer: renderer, Schedule: schedule, Snooze: queue.Snooze,
		Client: webhook.NewClient(webhook.ClientOptions{TotalTimeout: 5 * time.Second, AllowPrivate: true})}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Workers: 2, WebhookWorkers: 2, Work: true, PollInterval: 20 * time.Millisecond, Logger: logger},
		queue.Handlers{PollTracking: trackings.Poll, DeliverWebhook: deliverer.Deliver})
	if err != nil {
		t.Fatal(err)
	}
	trackings.Queue, webhooks.Queue = q, q
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	face := &tracker.API{Trackers: core, Auth: tenants, MaxBodyBytes: 1 << 20, PublicURL: publicURL, Logger: logger}
	adm := &admin.API{Checkpoints: trackings, Webhooks: webhooks, Auth: tenants, MaxBodyBytes: 1 << 20, Logger: logger, Trackers: core}
	as := &aftership.API{Trackings: trackings, Auth: tenants, Limits: aftership.NewRateLimiter(0), MaxBodyBytes: 1 << 20, Logger: logger, PublicURL: publicURL}
	docs := openapitest.New(t, "tracker", "admin", "v4", "2026-07")
	handler := httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, face, adm, as).Handler()
	_, fuzz := t.(*testing.F)
	if !fuzz {
		handler = docs.Handler(t, handler)
	}
	srv := httptest.NewServer(handler)
	s := &stack{t: t, URL: srv.URL, Key: key, Org: org, Trackers: core, Trackings: trackings, Webhooks: webhooks, OpenAPI: docs, checkClients: fuzz}
	s.Other.Key = otherKey
	t.Cleanup(func() {
		srv.Close()
		stopCtx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = q.Stop(stopCtx)
		cancel()
	})
	return s
}

// do sends a request with the given headers and returns the status and
// the raw body.
func (s *stack) do(method, path string, body any, headers map[string]string) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := http.DefaultClient
	if s.checkClients {
		client = s.OpenAPI.Client(s.t)
	}
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// tracker calls the Tracker API as the organization.
func (s *stack) tracker(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	code, raw := s.do(method, path, body, map[string]string{"x-api-key": s.Key, "tenantId": s.Org.Name})
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return code, out
}

// admin calls /v1 (or /v4) as the organization.
func (s *stack) admin(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	code, raw := s.do(method, path, body, map[string]string{"as-api-key": s.Key})
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return code, out
}

// configure sets up a provider and a location as the golden test's
// business has them.
func (s *stack) configure(provider, slug string) {
	s.t.Helper()
	if code, b := s.admin("POST", "/v1/providers", map[string]any{"name": provider, "slug": slug, "service_type": "Delivery"}); code != http.StatusCreated {
		s.t.Fatalf("create provider = %d %v", code, b)
	}
	loc := map[string]any{"external_id": "Self Delivery Store", "name": "Houston store",
		"address": map[string]any{"street1": "8849 North Sam Houston Parkway West", "street2": "", "city": "Houston", "state": "TX",
			"countryCode": "US", "postalCode": "77064", "latitude": 29.9259823, "longitude": -95.5523879},
		"contact":   map[string]any{"name": "Peter Brown", "phone": "+12142342232"},
		"time_zone": "America/Chicago", "pickup_instructions": "location pickupInstructions"}
	if code, b := s.admin("POST", "/v1/locations", loc); code != http.StatusCreated {
		s.t.Fatalf("create location = %d %v", code, b)
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
