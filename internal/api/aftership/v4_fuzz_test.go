package aftership_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// FuzzV4Create sends arbitrary bodies to POST /v4/trackings and
// PUT /v4/trackings/{id}: never a 5xx or a panic, always AfterShip's
// envelope, and a refused body writes nothing.
func FuzzV4Create(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `{"tracking": null}`, `{"tracking": []}`, `{"tracking": {"tracking_number": "1Z999AA10123456784"}}`,
		`{"tracking": {"slug": "ups", "tracking_number": "1Z999AA10123456784", "emails": ["a@example.com"], "custom_fields": {"k": "v"}}}`,
		`{"tracking": {"slug": ["dhl", "ups"], "tracking_number": "1234567890", "slug_group": "dhl-group"}}`,
		`{"tracking": {"tracking_number": "SBXDELIVERED", "smses": ["+85291239123"], "order_date": "2026-01-01T00:00:00Z"}}`,
		`{"tracking": {"tracking_number": "\u0000", "title": 5}}`, `{"tracking": {"tracking_number": 1e999}}`,
	} {
		f.Add([]byte(seed))
	}
	h := newHarness(f, "sqlite")
	client := &http.Client{}
	created := 0
	send := func(t *testing.T, method, path string, body []byte) (int, []byte) {
		req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("aftership-api-key", h.Key)
		res, err := client.Do(req)
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
		if status, _ := send(t, "POST", "/v4/trackings", body); status == http.StatusCreated {
			created++
		}
		_, raw := send(t, "GET", "/v4/trackings?limit=1", nil)
		var list struct {
			Data struct {
				Count int `json:"count"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &list); err != nil || list.Data.Count != created {
			t.Fatalf("after %q: %d trackings stored, %d creates acknowledged", body, list.Data.Count, created)
		}
		send(t, "PUT", "/v4/trackings/ups/1Z999AA10123456784", body)
	})
}
