package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
)

// orgCall sends one request to /v1/organization with the key.
func orgCall(t *testing.T, url, key, method, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url+"/v1/organization", bytes.NewReader([]byte(body)))
	req.Header.Set("as-api-key", key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s /v1/organization: body is not JSON: %v", method, err)
	}
	return res.StatusCode, out
}

func TestOrganizationBranding(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			tenants := &tenant.Service{Store: st}
			ctx := context.Background()
			_, key, err := tenants.CreateOrg(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			_, otherKey, err := tenants.CreateOrg(ctx, "globex")
			if err != nil {
				t.Fatal(err)
			}
			a := &admin.API{Organizations: &portal.Service{Store: st}, Auth: tenants, MaxBodyBytes: 1 << 20,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			mux := http.NewServeMux()
			a.Register(mux)
			srv := httptest.NewServer(openapitest.New(t, "admin").Handler(t, mux))
			defer srv.Close()

			status, got := orgCall(t, srv.URL, key, "GET", "")
			org, _ := got["organization"].(map[string]any)
			if status != 200 || org["name"] != "acme" || org["portal_path"] != "/track/acme" || org["display_name"] != "" || org["updated_at"] != nil {
				t.Fatalf("GET before any branding: %d %v", status, got)
			}

			status, got = orgCall(t, srv.URL, key, "PATCH", `{"display_name":"Acme Outdoor","logo_url":"https://cdn.acme.example/logo.png",
				"accent_color":"#0a7f5a","support_email":"help@acme.example","support_url":"https://acme.example/help",
				"language":"de","time_zone":"Europe/Berlin","custom_host":"track.acme.example","hide_courier":true,
				"courier_message":"Acme Express","mask_locations":true,"location_message":"On its way"}`)
			org, _ = got["organization"].(map[string]any)
			if status != 200 || org["display_name"] != "Acme Outdoor" || org["custom_host"] != "track.acme.example" ||
				org["hide_courier"] != true || org["language"] != "de" || org["updated_at"] == nil {
				t.Fatalf("PATCH: %d %v", status, got)
			}
			// Absent fields stay; "" clears.
			status, got = orgCall(t, srv.URL, key, "PATCH", `{"logo_url":""}`)
			org, _ = got["organization"].(map[string]any)
			if status != 200 || org["logo_url"] != "" || org["display_name"] != "Acme Outdoor" {
				t.Errorf("partial PATCH: %d %v", status, got)
			}

			for _, tt := range []struct {
				key, body string
				status    int
				code      string
			}{
				{key, `{"accent_color":"red","language":"it"}`, 400, "invalid"},
				{key, `{"logo_url":"javascript:alert(1)"}`, 400, "invalid"},
				{key, `{"hide_courier":"yes"}`, 400, "invalid"},
				{key, `{`, 400, "invalid"},
				{otherKey, `{"custom_host":"track.acme.example"}`, 409, "conflict"},
				{"wb_nope", `{}`, 401, "unauthorized"},
			} {
				status, got := orgCall(t, srv.URL, tt.key, "PATCH", tt.body)
				e, _ := got["error"].(map[string]any)
				if status != tt.status || e["code"] != tt.code {
					t.Errorf("PATCH %s: %d %v, want %d %s", tt.body, status, got, tt.status, tt.code)
				}
			}
			_, got = orgCall(t, srv.URL, key, "GET", "")
			if org, _ := got["organization"].(map[string]any); org["accent_color"] != "#0a7f5a" {
				t.Errorf("a rejected PATCH changed the branding: %v", got)
			}
		})
	}
}
