package onport_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// harness is a real HTTP server with the Onport face over a real database,
// one organization, its key and one channel. The inbound ingester runs;
// the processor is built but started only by tests that want it.
type harness struct {
	t         testing.TB
	URL       string
	Key       string
	Org       waybill.Organization
	Channel   waybill.Channel
	DB        *sql.DB // the database, for counting rows
	Commerce  *commerce.Service
	Processor *inbound.Processor
	Webhooks  *webhook.Service
	Trackings *tracking.Service
	Tenants   *tenant.Service
	Throttle  *onport.Throttle // the face's, so that a test can set its clock
	// OpenAPI checks exchanges against the Onport and admin documents. The
	// server checks every exchange itself, except in a fuzz target, whose
	// *testing.F cannot report: there requests go through OpenAPI.Client(t)
	// (bearerCall).
	OpenAPI *openapitest.Validator
}

func newHarness(t testing.TB, engine string, throttleScale float64) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := testdb.Open(t, engine)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	tenants := &tenant.Service{Store: st}
	org, key, err := tenants.CreateOrg(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	webhooks := &webhook.Service{Store: st, Queue: q}
	trackings := &tracking.Service{Store: st, Queue: q, Dispatcher: webhooks}
	com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
	proc := inbound.NewProcessor(st, com, onport.DecodeWrite, logger)
	ing := inbound.NewIngester(st, logger)
	ing.Committed = proc.Notify
	done := make(chan struct{})
	go func() { ing.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	throttle := onport.NewThrottle(throttleScale)
	api := &onport.API{Commerce: com, Inbound: ing, Auth: tenants, Throttle: throttle,
		MaxBodyBytes: 1 << 20, PublicURL: "http://waybill.test", Logger: logger}
	// The admin face serves /v1/channels and /v1/api-logs, which the tests use.
	adm := &admin.API{Channels: com, Logs: inbound.Logs{Store: st}, Auth: tenants, MaxBodyBytes: 1 << 20, Logger: logger}
	docs := openapitest.New(t, "onport", "admin")
	handler := httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, api, adm).Handler()
	if _, fuzz := t.(*testing.F); !fuzz {
		handler = docs.Handler(t, handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ch, err := com.CreateChannel(ctx, org.ID, commerce.ChannelInput{Name: ptr("Custom")})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, URL: srv.URL, Key: key, Org: org, Channel: ch, DB: st.Writer(), Commerce: com, Processor: proc,
		Webhooks: webhooks, Trackings: trackings, Tenants: tenants, Throttle: throttle, OpenAPI: docs}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("status %d, body %s: %v", r.Status, r.Body, err)
	}
	return m
}

func (r response) array(t testing.TB) []map[string]any {
	t.Helper()
	var m []map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("status %d, body %s: %v", r.Status, r.Body, err)
	}
	return m
}

// do sends a request; headers are name, value pairs.
func (h *harness) do(method, path string, body any, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// api sends a synchronous API request with the bearer token.
func (h *harness) api(method, path string, body any) response {
	h.t.Helper()
	return h.do(method, path, body, "Authorization", "Bearer "+h.Key)
}

// async sends an inbound request with the channel's hash.
func (h *harness) async(method, path string, body any) response {
	h.t.Helper()
	return h.do(method, path, body, "jetti-webhook-hash", h.Channel.WebhookHash)
}

// sale is a manual-sale payload with lines routed to vendors by property.
func sale(ext string, lines ...map[string]any) map[string]any {
	return map[string]any{
		"externalId": ext,
		"saleDefaults": map[string]any{"reference": "R-" + ext, "shippingFirstName": "Ada", "shippingLastName": "Lovelace",
			"shippingAddressLineOne": "1 Main St", "shippingCity": "Beverly Hills", "shippingState": "California",
			"shippingCountry": "US", "shippingZip": "90210"},
		"customer":  map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
		"lineItems": lines,
		"shipping":  []any{map[string]any{"code": "std", "name": "Standard", "serviceLevel": "ground", "price": 5}},
	}
}

func line(ext, vendor string, qty int) map[string]any {
	m := map[string]any{"externalId": ext, "name": "Item " + ext, "quantity": qty, "price": 10, "taxable": true,
		"variant": map[string]any{"externalId": "var-" + ext}}
	if vendor != "" {
		m["properties"] = []any{map[string]any{"key": "dropshipProviderExternalId", "value": vendor}}
	}
	return m
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}
