package admin_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/onportlink"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// fakeOnport answers the one read that proves a token: GET
// /api/channels.json with Bearer token.
func fakeOnport(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet || r.URL.Path != "/api/channels.json" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	})
}

// TestOnportConnectorRoutes: a connection is made, shown, changed and
// deleted through /v1/connectors/onport, and its webhook URL takes in a
// webhook once.
func TestOnportConnectorRoutes(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			onport := httptest.NewServer(fakeOnport("tok"))
			t.Cleanup(onport.Close)
			st := testdb.Open(t, engine)
			logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
			tenants := &tenant.Service{Store: st}
			org, key, err := tenants.CreateOrg(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			box, err := secretbox.Parse(secretbox.GenerateKey())
			if err != nil {
				t.Fatal(err)
			}
			webhooks := &webhook.Service{Store: st}
			trackings := &tracking.Service{Store: st, Dispatcher: webhooks}
			com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			webhooks.Queue, trackings.Queue = q, q
			link := &onportlink.Service{Store: st, Box: box, Commerce: com, Trackings: trackings, Queue: q,
				HTTP: onportlink.NewHTTPClient(true), PublicURL: "https://track.example", Snooze: queue.Snooze}
			a := &admin.API{Webhooks: webhooks, Channels: com, Auth: tenants, MaxBodyBytes: 1 << 20, Logger: logger, Onport: link}
			srv := httptest.NewServer(openapitest.New(t, "admin").Handler(t, httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, a).Handler()))
			t.Cleanup(srv.Close)
			s := &stack{t: t, URL: srv.URL, Key: key, Org: org}

			if status, r := s.call("POST", "/v1/connectors/onport", map[string]any{"api_url": onport.URL, "token": "wrong"}); status != 400 || r["error"] == nil {
				t.Fatalf("refused token: %d %v", status, r)
			}
			status, r := s.call("POST", "/v1/connectors/onport", map[string]any{"api_url": onport.URL, "token": "tok", "write_tracking_url": true})
			if status != 201 {
				t.Fatalf("create: %d %v", status, r)
			}
			c := r["connection"].(map[string]any)
			id := c["id"].(string)
			if c["write_tracking_url"] != true || c["write_tracking_events"] != false || c["token"] != nil {
				t.Fatalf("connection: %v", c)
			}
			hook := c["webhook_urls"].(map[string]any)["sales"].(string)
			if !strings.HasPrefix(hook, "https://track.example/v1/connectors/onport/hooks/") {
				t.Fatalf("webhook URL %q", hook)
			}
			if status, r := s.call("GET", "/v1/connectors/onport", nil); status != 200 || len(r["connections"].([]any)) != 1 {
				t.Fatalf("list: %d %v", status, r)
			}
			if status, r := s.call("GET", "/v1/connectors/onport/"+id, nil); status != 200 || r["connection"].(map[string]any)["api_url"] != onport.URL {
				t.Fatalf("get: %d %v", status, r)
			}
			if status, r := s.call("PATCH", "/v1/connectors/onport/"+id, map[string]any{"write_tracking_events": true}); status != 200 ||
				r["connection"].(map[string]any)["write_tracking_events"] != true {
				t.Fatalf("update: %d %v", status, r)
			}

			// Onport calls the webhook URL without a key: the token in it is the credential.
			path := strings.TrimPrefix(hook, "https://track.example")
			for _, want := range []string{"accepted", "duplicate"} {
				if status, r := s.call("POST", path, `{"id": 7}`); status != 200 || r["status"] != want || r["resource"] != "sale" || r["id"] != float64(7) {
					t.Fatalf("webhook: %d %v, want %s", status, r, want)
				}
			}
			if status, _ := s.call("POST", "/v1/connectors/onport/hooks/"+strings.Repeat("ab", 32)+"/sales", `{"id": 7}`); status != 401 {
				t.Errorf("unknown hook token: %d", status)
			}

			if status, r := s.call("DELETE", "/v1/connectors/onport/"+id, nil); status != 200 || r["connection"].(map[string]any)["id"] != id {
				t.Fatalf("delete: %d %v", status, r)
			}
			if status, _ := s.call("GET", "/v1/connectors/onport/"+id, nil); status != 404 {
				t.Errorf("get after delete: %d", status)
			}
		})
	}
}
