package aftership_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// FuzzV4Create sends arbitrary bodies to POST /v4/trackings and
// PUT /v4/trackings/{id}, on every engine under test (PostgreSQL too when
// WAYBILL_TEST_POSTGRES_URL is set): never a 5xx or a panic, always
// AfterShip's envelope, and a refused body writes nothing.
func FuzzV4Create(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `{"tracking": null}`, `{"tracking": []}`, `{"tracking": {"tracking_number": "1Z999AA10123456784"}}`,
		`{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784", "emails": ["a@example.com"], "custom_fields": {"k": "v"}}}`,
		`{"tracking": {"slug": ["dhl", "ups"], "tracking_number": "1234567890", "slug_group": "dhl-group"}}`,
		`{"tracking": {"tracking_number": "SBXDELIVERED", "smses": ["+85291239123"], "order_date": "2026-01-01T00:00:00Z"}}`,
		`{"tracking": {"tracking_number": "\u0000", "title": 5}}`, `{"tracking": {"tracking_number": 1e999}}`,
		`{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "a\u0000b", "order_id": "\u0000"}}`,
		`{"tracking": {"slug": "ups\u0000", "tracking_number": "1Z999AA1\u00000123456784", "custom_fields": {"\u0000": "\u0000"}}}`,
		"{\"tracking\": {\"slug\": \"ups\", \"tracking_number\": \"1Z999AA10123456784\", \"title\": \"\xff\xfe\xc3\"}}",
		`{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784", "note": "` + strings.Repeat("n", 600) + `"}}`,
		`{"tracking": {"slug": "ups", "tracking_number": "` + strings.Repeat("1", 300) + `", "order_date": "2026-02-30T99:99:99Z"}}`,
	} {
		f.Add([]byte(seed))
	}
	type server struct {
		h       *harness
		created int
	}
	var servers []*server
	for _, engine := range testdb.Engines() {
		servers = append(servers, &server{h: newHarness(f, engine)})
	}
	send := func(t *testing.T, h *harness, method, path string, body []byte) (int, []byte) {
		req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("aftership-api-key", h.Key)
		req.Header.Set("Content-Type", "application/json")
		res, err := h.OpenAPI.Client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var env struct {
			Meta *struct {
				Code int `json:"code"`
			} `json:"meta"`
		}
		if res.StatusCode >= 500 || json.Unmarshal(raw, &env) != nil || env.Meta == nil {
			t.Fatalf("%s %s with %q: HTTP %d, not a client error in the envelope:\n%s", method, path, body, res.StatusCode, raw)
		}
		return res.StatusCode, raw
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range servers {
			if status, _ := send(t, s.h, "POST", "/v4/trackings", body); status == http.StatusCreated {
				s.created++
			}
			_, raw := send(t, s.h, "GET", "/v4/trackings?limit=1", nil)
			var list struct {
				Data struct {
					Count int `json:"count"`
				} `json:"data"`
			}
			if err := json.Unmarshal(raw, &list); err != nil || list.Data.Count != s.created {
				t.Fatalf("after %q: %d trackings stored, %d creates acknowledged", body, list.Data.Count, s.created)
			}
			send(t, s.h, "PUT", "/v4/trackings/ups/1Z999AA10123456784", body)
		}
	})
}
