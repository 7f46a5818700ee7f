package admin_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestCouriersAnOrganizationChooses: before, a new organization had 16
// couriers, no way to change them, and a 4012 sent users to AfterShip's
// admin. A new organization now has every courier; PUT /v1/couriers
// narrows and widens the set, detection follows it, and 4012 names
// Waybill's own way to activate a courier.
func TestCouriersAnOrganizationChooses(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			s := newStack(t, engine)
			status, body := s.call("GET", "/v1/couriers", nil)
			total, _ := body["total"].(float64)
			if status != 200 || body["all"] != true || total < 150 {
				t.Fatalf("GET /v1/couriers on a new organization: %d %v %v", status, body["all"], body["total"])
			}
			detect := func() (int, map[string]any) {
				return s.call("POST", "/tracking/2026-07/couriers/detect", map[string]any{"tracking_number": "EE123456785JP"})
			}
			if status, body := detect(); status != 200 || !strings.Contains(toJSON(body), `"slug":"japan-post"`) {
				t.Fatalf("detect EE123456785JP with every courier: %d %v", status, body)
			}

			status, body = s.call("PUT", "/v1/couriers", map[string]any{"deactivate": []string{"japan-post"}})
			if status != 200 || body["all"] != false || body["total"] != total-1 || strings.Contains(toJSON(body), `"japan-post"`) {
				t.Fatalf("deactivate japan-post: %d all=%v total=%v", status, body["all"], body["total"])
			}
			status, body = detect()
			meta, _ := body["meta"].(map[string]any)
			if status != 400 || meta["code"] != 4012.0 || !strings.Contains(meta["message"].(string), "PUT /v1/couriers") ||
				strings.Contains(meta["message"].(string), "aftership.com") {
				t.Fatalf("detect with japan-post deactivated: %d %v", status, body)
			}

			// Re-activating it gives every courier again.
			if status, body = s.call("PUT", "/v1/couriers", map[string]any{"activate": []string{" Japan-Post "}}); status != 200 || body["all"] != true {
				t.Fatalf("activate japan-post: %d %v", status, body["all"])
			}
			if status, _ := detect(); status != 200 {
				t.Errorf("detect after re-activating: %d", status)
			}

			// Narrow to two, then widen to all.
			s.call("PUT", "/v1/couriers", map[string]any{"deactivate": []string{"japan-post"}})
			if _, body = s.call("GET", "/v1/couriers", nil); body["total"] != total-1 {
				t.Fatalf("GET after deactivating: %v", body["total"])
			}
			if status, body = s.call("PUT", "/v1/couriers", map[string]any{"activate": []string{"all"}}); status != 200 || body["total"] != total {
				t.Errorf("activate all: %d %v", status, body["total"])
			}

			for _, bad := range []any{
				map[string]any{"activate": []string{"no-such-courier"}},
				map[string]any{"deactivate": []string{"ups\x00"}},
				map[string]any{},
				map[string]any{"activate": "ups"},
				`{"activate": [`,
			} {
				status, body := s.call("PUT", "/v1/couriers", bad)
				errBody, _ := body["error"].(map[string]any)
				if status != 400 || errBody["code"] != "invalid" {
					t.Errorf("PUT %v: %d %v", bad, status, body)
				}
			}
			// Deactivating every courier is refused: detection would find none.
			_, all := s.call("GET", "/v1/couriers", nil)
			var slugs []string
			for _, c := range all["couriers"].([]any) {
				slugs = append(slugs, c.(map[string]any)["slug"].(string))
			}
			if status, body := s.call("PUT", "/v1/couriers", map[string]any{"deactivate": slugs}); status != 400 ||
				!strings.Contains(toJSON(body), "At least one courier") {
				t.Errorf("deactivating every courier: %d %v", status, body)
			}
			if _, body := s.call("GET", "/v1/couriers", nil); body["total"] != total {
				t.Errorf("a refused choice changed the set: %v", body["total"])
			}
		})
	}
}

func toJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
