package aftership_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/testdb"
)

// FuzzPredict sends arbitrary bytes to both prediction endpoints on a real
// server over each engine under test: every answer is an envelope, never
// a 5xx, and a 200 always carries the predicted dates.
func FuzzPredict(f *testing.F) {
	item := `{"slug":"ups","origin_address":{"country_region":"USA"},"destination_address":{"country_region":"USA"},"pickup_time":"2026-07-01 10:00:00"}`
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, item, `{"estimated_delivery_dates":[` + item + `]}`,
		`{"slug":"ups","origin_address":{"country_region":"USA"},"destination_address":{"country_region":"CAN"},"estimated_pickup":{"order_time":"2026-07-03 23:59:59","order_cutoff_time":"00:00:00","business_days":[7],"order_processing_time":{"unit":"day","value":30}}}`,
		`{"slug":"\u0000","origin_address":{"country_region":"\u0000"},"pickup_time":"\u0000"}`,
		"{\"slug\":\"ups\",\"service_type_name\":\"\xff\xfe\",\"pickup_time\":\"2026-07-01 10:00:00\"}",
		`{"slug":"` + strings.Repeat("u", 5000) + `"}`,
		`{"estimated_delivery_dates":[null,1,"x"]}`, `{"estimated_delivery_dates":{}}`,
		`{"slug":"ups","origin_address":{"country_region":"USA"},"destination_address":{"country_region":"USA"},"estimated_pickup":{"order_time":"9999-12-31 23:59:59","order_processing_time":{"value":-1}}}`,
	} {
		f.Add([]byte(seed))
	}
	type server struct{ url, key string }
	var servers []server
	var docs *openapitest.Validator
	for _, engine := range testdb.Engines() {
		h := newHarness(f, engine)
		servers = append(servers, server{h.URL, h.Key})
		docs = h.OpenAPI
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		client := docs.Client(t) // checks every exchange against the documents
		for _, s := range servers {
			for _, path := range []string{predictPath, batchPath} {
				req, err := http.NewRequest("POST", s.url+"/tracking/2026-07"+path, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("as-api-key", s.key)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var env struct {
					Meta *struct{ Code int } `json:"meta"`
					Data map[string]any      `json:"data"`
				}
				if res.StatusCode >= 500 || json.Unmarshal(raw, &env) != nil || env.Meta == nil {
					t.Fatalf("%s: HTTP %d for %q: %s", path, res.StatusCode, body, raw)
				}
				if res.StatusCode == 200 && path == predictPath && env.Data["estimated_delivery_date"] == nil {
					t.Fatalf("200 without a date for %q: %s", body, raw)
				}
			}
		}
	})
}
