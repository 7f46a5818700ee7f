package aftership_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/edd"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// harness is a real Waybill HTTP server on loopback over a real database,
// with one organization and its key. Jobs are inserted but not worked.
type harness struct {
	t       testing.TB
	URL     string
	Key     string
	Core    *tracking.Service // the tracking core behind the server, for tests that feed it directly
	Tenants *tenant.Service
	// OpenAPI checks exchanges against the faces' documents. The server
	// checks every exchange itself, except in a fuzz target, whose
	// *testing.F cannot report: there clients use OpenAPI.Client(t).
	OpenAPI *openapitest.Validator
	// DatabaseURL is the database the server's store opened.
	DatabaseURL string
	API         *aftership.API // the face the server serves
}

// documentedFaces are the faces whose documents the harness checks.
var documentedFaces = []string{"v4", "2026-07"}

type harnessOptions struct {
	rateScale   float64
	legacyRate  float64
	maxBody     int64
	noSecretKey bool              // the core has no WAYBILL_SECRET_KEY
	carriers    *carrier.Registry // the core's connectors; none when nil
	// of, when set, is a harness whose database this one shares (a
	// second instance): its organization and key are used, none created.
	of *harness
}

func newHarness(t testing.TB, engine string, opts ...func(*harnessOptions)) *harness {
	t.Helper()
	o := harnessOptions{rateScale: 0, legacyRate: 10, maxBody: 1 << 20}
	for _, f := range opts {
		f(&o)
	}
	databaseURL := testdb.URL(t, engine)
	if o.of != nil {
		databaseURL = o.of.DatabaseURL
	}
	st := testdb.OpenURL(t, databaseURL)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	tenants := &tenant.Service{Store: st}
	var key string
	if o.of != nil {
		key = o.of.Key
	} else if _, key, err = tenants.CreateOrg(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	core := &tracking.Service{Store: st, Queue: q, Carriers: o.carriers, Logger: logger}
	if !o.noSecretKey {
		if core.Secrets, err = secretbox.Parse(secretbox.GenerateKey()); err != nil {
			t.Fatal(err)
		}
	}
	// The buckets' clock stands still, so a test's requests all fall in one
	// instant: on a loaded machine a second may pass between two of them and
	// refill a bucket the test expects to be spent.
	limits := aftership.NewRateLimiter(o.rateScale)
	frozen := time.Now()
	limits.Now = func() time.Time { return frozen }
	api := &aftership.API{
		Trackings: core, Auth: tenants,
		Limits: limits, LegacyRate: o.legacyRate, MaxBodyBytes: o.maxBody,
		PublicURL: "http://waybill.test", Logger: logger, EDD: &edd.Service{Store: st},
	}
	docs := openapitest.New(t, documentedFaces...)
	handler := httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, api).Handler()
	if _, fuzz := t.(*testing.F); !fuzz {
		handler = docs.Handler(t, handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &harness{t: t, URL: srv.URL, Key: key, Core: core, Tenants: tenants, OpenAPI: docs, DatabaseURL: databaseURL, API: api}
}

// otherKey creates a second organization and returns its key.
func (h *harness) otherKey() string {
	h.t.Helper()
	_, key, err := h.Tenants.CreateOrg(context.Background(), "other")
	if err != nil {
		h.t.Fatal(err)
	}
	return key
}

// response is a decoded AfterShip envelope.
type response struct {
	Status int
	Header http.Header
	Meta   struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"meta"`
	Data map[string]any `json:"data"`
	Raw  []byte
}

// do sends a request with the key in header (aftership-api-key when
// header is "") and decodes the envelope.
func (h *harness) do(method, path, header, key string, body any) response {
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
	if header == "" {
		header = "aftership-api-key"
	}
	if key != "" {
		req.Header.Set(header, key)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	var r response
	r.Status, r.Header = res.StatusCode, res.Header
	r.Raw, _ = io.ReadAll(res.Body)
	if err := json.Unmarshal(r.Raw, &r); err != nil {
		h.t.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, r.Raw)
	}
	return r
}

// v4 sends a v4 request with the harness key.
func (h *harness) v4(method, path string, body any) response {
	h.t.Helper()
	return h.do(method, "/v4"+path, "", h.Key, body)
}

// expect fails unless the response has the HTTP status and meta code.
func (r response) expect(t *testing.T, status, code int) response {
	t.Helper()
	if r.Status != status || r.Meta.Code != code {
		t.Fatalf("got HTTP %d meta %d (%s: %s), want HTTP %d meta %d\n%s", r.Status, r.Meta.Code, r.Meta.Type, r.Meta.Message, status, code, r.Raw)
	}
	return r
}

// tracking returns data.tracking of a response.
func (r response) tracking(t *testing.T) map[string]any {
	t.Helper()
	tr, ok := r.Data["tracking"].(map[string]any)
	if !ok {
		t.Fatalf("no data.tracking in %s", r.Raw)
	}
	return tr
}

func forEachEngine(t *testing.T, f func(t *testing.T, engine string)) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			f(t, engine)
		})
	}
}

// testWriter sends log lines to the test's log, shown when it fails.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}
