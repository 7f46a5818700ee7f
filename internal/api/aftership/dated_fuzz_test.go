package aftership_test

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

	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// FuzzDatedCreate sends arbitrary bytes to POST /tracking/2026-07/trackings
// on a real server over each engine under test (PostgreSQL too when
// WAYBILL_TEST_POSTGRES_URL is set): every answer is an AfterShip envelope,
// and none is a 500 (the server turns a panic into a 500, so this catches
// panics too).
func FuzzDatedCreate(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"tracking_number": "1Z999AA10123456784"}`,
		`{"slug": "ups", "tracking_number": "1Z999AA10123456784", "origin_country_region": "US", "destination_country_region": "gbr"}`,
		`{"slug": ["ups", "fedex"], "tracking_number": "123456789012"}`,
		`{"slug": "postnl-3s", "tracking_number": "3SABC123", "destination_postal_code": "1012AB", "destination_country_region": "NL"}`,
		`{"tracking_number": "X1", "customers": [{"name": "A", "email": "a@example.com", "phone_number": "+15551234567", "language": "en"}]}`,
		`{"tracking_number": "X2", "custom_fields": {"a": 1, "b": true, "c": null, "d": "s"}, "shipment_tags": ["t"]}`,
		`{"tracking_number": "X3", "order_promised_delivery_date": {"promised_delivery_date_min": "2026-07-01", "promised_delivery_date_max": "2026-07-03"}}`,
		`{"tracking_number": "X4", "last_mile": {"tracking_number": "L1", "slug": "dhl"}, "shipment_direction": "return", "delivery_type": "pickup_at_store"}`,
		`{"tracking_number": "\u0000\u00ff", "slug": "ups"}`, `{"tracking_number": 1e999}`, `{"emails": ["a@b.c"], "smses": [1]}`,
		`{"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "a\u0000b", "customers": [{"name": "\u0000"}]}`,
		`{"slug": "ups", "tracking_number": "1Z999AA10123456784", "shipment_tags": ["\u0000"], "custom_fields": {"k": "\u0000"}}`,
		"{\"slug\": \"ups\", \"tracking_number\": \"1Z999AA10123456784\", \"note\": \"\xff\xfe\xc3\"}",
		`{"slug": "ups", "tracking_number": "1Z999AA10123456784", "note": "` + strings.Repeat("n", 600) + `"}`,
		`{"slug": "ups", "tracking_number": "1Z999AA10123456784", "order_promised_delivery_date": "0000-00-00"}`,
	} {
		f.Add([]byte(seed))
	}
	type server struct{ url, key string }
	var servers []server
	for _, engine := range testdb.Engines() {
		url, key := newFuzzServer(f, engine)
		servers = append(servers, server{url, key})
	}
	docs := openapitest.New(f, documentedFaces...)
	f.Fuzz(func(t *testing.T, body []byte) {
		client := docs.Client(t) // checks every exchange against the documents
		for _, s := range servers {
			postDated(t, client, s.url, s.key, body)
		}
	})
}

// postDated posts body as a 2026-07 create and fails t unless the answer is
// an envelope with as-api-version and no 5xx.
func postDated(t *testing.T, client *http.Client, url, key string, body []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/tracking/2026-07/trackings", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("as-api-key", key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Fatalf("HTTP %d for %q:\n%s", res.StatusCode, body, raw)
	}
	var env struct {
		Meta *struct {
			Code int `json:"code"`
		} `json:"meta"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Meta == nil || len(env.Data) == 0 {
		t.Fatalf("HTTP %d for %q is not an envelope: %s", res.StatusCode, body, raw)
	}
	if res.Header.Get("as-api-version") != "2026-07" {
		t.Fatalf("no as-api-version for %q", body)
	}
	if (res.StatusCode == 201) != (env.Meta.Code == 201) {
		t.Fatalf("HTTP %d with meta %d for %q", res.StatusCode, env.Meta.Code, body)
	}
}

// newFuzzServer is the harness for a fuzz target, which has a *testing.F
// rather than a *testing.T: a real server over the engine, with one key.
func newFuzzServer(f *testing.F, engine string) (url, key string) {
	st := testdb.Open(f, engine)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		f.Fatal(err)
	}
	tenants := &tenant.Service{Store: st}
	_, key, err = tenants.CreateOrg(context.Background(), "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := &aftership.API{
		Trackings: &tracking.Service{Store: st, Queue: q}, Auth: tenants, Limits: aftership.NewRateLimiter(0),
		LegacyRate: 10, MaxBodyBytes: 1 << 16, PublicURL: "http://waybill.test", Logger: logger,
	}
	srv := httptest.NewServer(httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, api).Handler())
	f.Cleanup(srv.Close)
	return srv.URL, key
}
