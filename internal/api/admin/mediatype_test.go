package admin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestRequestContentType: a JSON body without a Content-Type is read as
// JSON, as AfterShip-style clients that leave the header out expect (and
// so is curl -d's default form type); a
// body that says it is another type is refused with 415 in the face's own
// envelope. Before, every type was read as JSON, while the OpenAPI
// documents took application/json only.
func TestRequestContentType(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			n := 0
			for _, tc := range []struct {
				path, contentType string
				want              int
			}{
				{"/v1/webhooks", "", 201},
				{"/v1/webhooks", "application/json; charset=utf-8", 201},
				{"/v1/webhooks", "application/merge-patch+json", 415},
				{"/v1/webhooks", "text/xml", 415},
				{"/v1/webhooks", "application/x-www-form-urlencoded", 201}, // curl -d without -H
				{"/v1/webhooks", "multipart/form-data; boundary=x", 415},
				{"/v1/webhooks", "not a media type", 415},
				{"/v4/trackings", "", 201},
				{"/v4/trackings", "text/plain", 415},
				{"/tracking/2026-07/trackings", "", 201},
				{"/tracking/2026-07/trackings", "text/xml", 415},
			} {
				n++
				var body string
				switch {
				case tc.path == "/v1/webhooks":
					body = `{"url": "https://example.com/hook` + strings.Repeat("x", n) + `"}`
				case strings.HasPrefix(tc.path, "/v4/"):
					body = `{"tracking": {"slug": "sandbox", "tracking_number": "CT` + strings.Repeat("1", n) + `"}}`
				default:
					body = `{"slug": "sandbox", "tracking_number": "CT` + strings.Repeat("2", n) + `"}`
				}
				req, _ := http.NewRequest("POST", s.URL+tc.path, strings.NewReader(body))
				req.Header.Set("as-api-key", s.Key)
				if tc.contentType != "" {
					req.Header.Set("Content-Type", tc.contentType)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode != tc.want {
					t.Errorf("POST %s with Content-Type %q: %d %v, want %d", tc.path, tc.contentType, res.StatusCode, out, tc.want)
					continue
				}
				if tc.want != 415 {
					continue
				}
				// The face's own envelope.
				if strings.HasPrefix(tc.path, "/v1/") {
					if e, _ := out["error"].(map[string]any); e["code"] != "unsupported_media_type" {
						t.Errorf("POST %s with %q: %v, want the /v1 error envelope with code unsupported_media_type", tc.path, tc.contentType, out)
					}
				} else if m, _ := out["meta"].(map[string]any); m["code"] != float64(415) {
					t.Errorf("POST %s with %q: %v, want meta.code 415", tc.path, tc.contentType, out)
				}
			}
		})
	}
}
