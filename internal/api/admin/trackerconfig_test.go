package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestProvidersCRUD drives /v1/providers through create, list, get,
// PATCH and DELETE, and its errors in the /v1 envelope, on both engines.
func TestProvidersCRUD(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			code, p := s.call("POST", "/v1/providers", map[string]any{"name": "UPS", "slug": "ups", "service_type": "Delivery", "display_name": "UPS Ground"})
			if code != http.StatusCreated || p["name"] != "UPS" || p["slug"] != "ups" || p["display_name"] != "UPS Ground" || p["service_id"] != "delivery" {
				t.Fatalf("create = %d %v", code, p)
			}
			id := p["id"].(string)
			if code, body := s.call("POST", "/v1/providers", map[string]any{"name": "UPS"}); code != http.StatusConflict || errCode(body) != "conflict" {
				t.Errorf("same name again = %d %v, want 409 conflict", code, body)
			}
			if code, body := s.call("POST", "/v1/providers", map[string]any{"name": "X", "slug": "no-such-courier"}); code != http.StatusBadRequest {
				t.Errorf("unknown slug = %d %v, want 400", code, body)
			}
			if code, body := s.call("POST", "/v1/providers", map[string]any{"name": "bad\x00name"}); code != http.StatusBadRequest {
				t.Errorf("NUL in name = %d %v, want 400", code, body)
			}
			if code, body := s.call("POST", "/v1/providers", map[string]any{"slug": "ups"}); code != http.StatusBadRequest || body["error"].(map[string]any)["reason"] != "field_required" {
				t.Errorf("no name = %d %v, want 400 field_required", code, body)
			}
			// Without display name and service type: the name and "Delivery".
			if code, body := s.call("POST", "/v1/providers", map[string]any{"name": "Self Delivery"}); code != http.StatusCreated || body["display_name"] != "Self Delivery" || body["service_type"] != "Delivery" {
				t.Errorf("defaults = %d %v", code, body)
			}
			code, list := s.call("GET", "/v1/providers", nil)
			if code != http.StatusOK || len(list["providers"].([]any)) != 2 {
				t.Fatalf("list = %d %v", code, list)
			}
			code, p = s.call("PATCH", "/v1/providers/"+id, map[string]any{"display_name": "UPS Express"})
			if code != http.StatusOK || p["display_name"] != "UPS Express" || p["name"] != "UPS" {
				t.Errorf("patch = %d %v", code, p)
			}
			if code, body := s.call("PATCH", "/v1/providers/"+id, map[string]any{"name": "Self Delivery"}); code != http.StatusConflict {
				t.Errorf("rename onto a taken name = %d %v, want 409", code, body)
			}
			if code, p = s.call("GET", "/v1/providers/"+id, nil); code != http.StatusOK || p["display_name"] != "UPS Express" {
				t.Errorf("get = %d %v", code, p)
			}
			if code, _ := s.call("DELETE", "/v1/providers/"+id, nil); code != http.StatusNoContent {
				t.Errorf("delete = %d", code)
			}
			for _, m := range []string{"GET", "DELETE"} {
				if code, body := s.call(m, "/v1/providers/"+id, nil); code != http.StatusNotFound || errCode(body) != "not_found" {
					t.Errorf("%s after delete = %d %v, want 404", m, code, body)
				}
			}
		})
	}
}

// TestLocationsCRUD drives /v1/locations the same way; a country name is
// stored as its code.
func TestLocationsCRUD(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			body := map[string]any{"external_id": "store-1", "name": "Houston store",
				"address":   map[string]any{"street1": "8849 North Sam Houston Parkway West", "city": "Houston", "state": "TX", "countryCode": "United States", "postalCode": "77064"},
				"contact":   map[string]any{"name": "Peter Brown", "phone": "+12142342232", "email": "store@example.com"},
				"time_zone": "America/Chicago", "pickup_instructions": "Ring twice"}
			code, l := s.call("POST", "/v1/locations", body)
			if code != http.StatusCreated || l["external_id"] != "store-1" || l["time_zone"] != "America/Chicago" {
				t.Fatalf("create = %d %v", code, l)
			}
			if cc := l["address"].(map[string]any)["countryCode"]; cc != "US" {
				t.Errorf("countryCode = %v, want US", cc)
			}
			id := l["id"].(string)
			if code, b := s.call("POST", "/v1/locations", body); code != http.StatusConflict {
				t.Errorf("same external_id = %d %v, want 409", code, b)
			}
			for name, bad := range map[string]map[string]any{
				"no address":    {"external_id": "x"},
				"bad zone":      {"external_id": "x", "address": body["address"], "time_zone": "Mars/Olympus"},
				"bad country":   {"external_id": "x", "address": map[string]any{"street1": "a", "city": "b", "countryCode": "ZZ"}},
				"bad phone":     {"external_id": "x", "address": body["address"], "contact": map[string]any{"phone": "call me"}},
				"overlong":      {"external_id": strings.Repeat("x", 101), "address": body["address"]},
				"control chars": {"external_id": "x\x01", "address": body["address"]},
			} {
				if code, b := s.call("POST", "/v1/locations", bad); code != http.StatusBadRequest {
					t.Errorf("%s = %d %v, want 400", name, code, b)
				}
			}
			code, l = s.call("PATCH", "/v1/locations/"+id, map[string]any{"pickup_instructions": "Back door"})
			if code != http.StatusOK || l["pickup_instructions"] != "Back door" || l["name"] != "Houston store" {
				t.Errorf("patch = %d %v", code, l)
			}
			if code, list := s.call("GET", "/v1/locations", nil); code != http.StatusOK || len(list["locations"].([]any)) != 1 {
				t.Errorf("list = %d %v", code, list)
			}
			if code, _ := s.call("DELETE", "/v1/locations/"+id, nil); code != http.StatusNoContent {
				t.Errorf("delete = %d", code)
			}
			if code, b := s.call("GET", "/v1/locations/"+id, nil); code != http.StatusNotFound {
				t.Errorf("get after delete = %d %v", code, b)
			}
		})
	}
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}
