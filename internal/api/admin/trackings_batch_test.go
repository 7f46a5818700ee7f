package admin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// batchResponse is the body of a 200 from POST /v1/trackings/batch.
type batchResponse struct {
	Created  int `json:"created"`
	Exists   int `json:"exists"`
	Rejected int `json:"rejected"`
	Results  []struct {
		Index          int    `json:"index"`
		Status         string `json:"status"`
		ID             string `json:"id"`
		Slug           string `json:"slug"`
		TrackingNumber string `json:"tracking_number"`
		Error          *struct {
			Code, Reason, Message string
		} `json:"error"`
	} `json:"results"`
}

// postBatch sends body (a string as is, anything else as JSON) and returns
// the status and the raw answer.
func (s *stack) postBatch(body any) (int, []byte) {
	s.t.Helper()
	data, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		data = string(b)
	}
	status, _, raw := s.rawCall(s.Key, "POST", "/v1/trackings/batch", data)
	return status, raw
}

func (s *stack) batch(rows ...any) batchResponse {
	s.t.Helper()
	status, raw := s.postBatch(map[string]any{"trackings": rows})
	if status != http.StatusOK {
		s.t.Fatalf("batch: %d %s", status, raw)
	}
	var res batchResponse
	if err := json.Unmarshal(raw, &res); err != nil {
		s.t.Fatalf("batch answer %s: %v", raw, err)
	}
	if len(res.Results) != len(rows) {
		s.t.Fatalf("batch of %d rows answered %d results", len(rows), len(res.Results))
	}
	return res
}

// trackingCount is the organization's number of trackings, from the v4 face.
func (s *stack) trackingCount() int {
	s.t.Helper()
	status, body := s.call("GET", "/v4/trackings?limit=1", nil)
	if status != 200 {
		s.t.Fatalf("list trackings: %d %v", status, body)
	}
	return int(body["data"].(map[string]any)["count"].(float64))
}

func TestTrackingBatchMixedRows(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			rows := []any{
				map[string]any{"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "Order #1001",
					"order_number": "#1001", "emails": []string{"ann@example.com"}, "smses": []string{"+14155550100"},
					"customer_name": "Ann", "destination_country_iso3": "US", "language": "en",
					"custom_fields": map[string]string{"sku": "A-1"}},
				map[string]any{"slug": "no-such-courier", "tracking_number": "X1"},                // rejected: slug
				map[string]any{"slug": "dhl"},                                                     // rejected: no number
				map[string]any{"slug": "dhl", "tracking_number": "1234567890", "title": "a\x00b"}, // rejected: NUL
				42, // rejected: not an object
				map[string]any{"slug": "fedex", "tracking_number": "123456789012", "emails": "not-a-list"}, // rejected: type
				map[string]any{"slug": "UPS", "tracking_number": "1z999aa10123456784"},                     // same as row 0
				map[string]any{"tracking_number": "9400111206213642173009"},                                // detected
				map[string]any{"slug": "dhl", "tracking_number": "1234567890", "destination_country_iso3": "Narnia"},
			}
			res := s.batch(rows...)
			want := []string{"created", "rejected", "rejected", "rejected", "rejected", "rejected", "exists", "created", "rejected"}
			for i, r := range res.Results {
				if r.Index != i || r.Status != want[i] {
					t.Errorf("row %d: %+v, want %s", i, r, want[i])
				}
				if r.Status == "rejected" && (r.Error == nil || r.Error.Code != "invalid" || r.Error.Message == "") {
					t.Errorf("row %d rejected without its reason: %+v", i, r.Error)
				}
			}
			if res.Results[1].Error.Reason != "slug_invalid" || res.Results[2].Error.Reason != "tracking_number_required" ||
				res.Results[3].Error.Reason != "field_invalid" || res.Results[5].Error.Reason != "field_invalid" {
				t.Errorf("reasons: %+v %+v %+v %+v", res.Results[1].Error, res.Results[2].Error, res.Results[3].Error, res.Results[5].Error)
			}
			if res.Results[6].ID != res.Results[0].ID || res.Results[0].ID == "" {
				t.Errorf("the duplicate row names %q, the first row made %q", res.Results[6].ID, res.Results[0].ID)
			}
			if res.Results[7].Slug != "usps" {
				t.Errorf("detected courier %q, want usps", res.Results[7].Slug)
			}
			if res.Created != 2 || res.Exists != 1 || res.Rejected != 6 {
				t.Errorf("counts %d/%d/%d", res.Created, res.Exists, res.Rejected)
			}
			if n := s.trackingCount(); n != 2 {
				t.Fatalf("%d trackings stored, want 2", n)
			}

			// The fields of a row are stored as a v4 create would store them.
			status, body := s.call("GET", "/v4/trackings/"+res.Results[0].ID, nil)
			if status != 200 {
				t.Fatalf("get: %d %v", status, body)
			}
			tr := body["data"].(map[string]any)["tracking"].(map[string]any)
			if tr["title"] != "Order #1001" || tr["order_number"] != "#1001" || tr["customer_name"] != "Ann" ||
				tr["destination_country_iso3"] != "USA" || tr["language"] != "en" || tr["source"] != "import" ||
				fmt.Sprint(tr["emails"]) != "[ann@example.com]" || fmt.Sprint(tr["custom_fields"]) != "map[sku:A-1]" {
				t.Errorf("stored tracking %v", tr)
			}

			// A second run of the same rows creates nothing and names the
			// same trackings.
			again := s.batch(rows...)
			if again.Created != 0 || again.Exists != 3 || again.Rejected != 6 {
				t.Errorf("second run counts %d/%d/%d", again.Created, again.Exists, again.Rejected)
			}
			if again.Results[0].ID != res.Results[0].ID || again.Results[7].ID != res.Results[7].ID {
				t.Errorf("second run ids %q %q, first %q %q", again.Results[0].ID, again.Results[7].ID, res.Results[0].ID, res.Results[7].ID)
			}
			if n := s.trackingCount(); n != 2 {
				t.Fatalf("%d trackings stored after the second run, want 2", n)
			}
		})
	}
}

func TestTrackingBatchLimits(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			rows := make([]map[string]any, 1001)
			for i := range rows {
				rows[i] = map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("LIMIT%06d", i)}
			}
			status, hdr, raw := s.rawCall(s.Key, "POST", "/v1/trackings/batch", mustJSON(t, map[string]any{"trackings": rows}))
			checkErrorShape(t, "1001 rows", status, hdr, raw, http.StatusRequestEntityTooLarge, "too_large")
			if n := s.trackingCount(); n != 0 {
				t.Fatalf("a refused batch stored %d trackings", n)
			}
			// 1000 rows is the limit, and is taken whole.
			res := s.batch(toAny(rows[:1000])...)
			if res.Created != 1000 {
				t.Fatalf("1000 rows: created %d", res.Created)
			}
			for _, c := range []struct {
				what, body string
				status     int
				code       string
			}{
				{"no rows", `{"trackings":[]}`, 400, "invalid"},
				{"no trackings key", `{}`, 400, "invalid"},
				{"not JSON", `{"trackings":`, 400, "invalid"},
				{"trackings not a list", `{"trackings":{"a":1}}`, 400, "invalid"},
				{"over the size limit", `{"trackings":["` + strings.Repeat("x", 9<<20) + `"]}`, 413, "too_large"},
			} {
				status, hdr, raw := s.rawCall(s.Key, "POST", "/v1/trackings/batch", c.body)
				checkErrorShape(t, c.what, status, hdr, raw, c.status, c.code)
			}
			status, hdr, raw = s.rawCall("wrong-key", "POST", "/v1/trackings/batch", `{"trackings":[{"slug":"dhl","tracking_number":"X9"}]}`)
			checkErrorShape(t, "wrong key", status, hdr, raw, 401, "unauthorized")
		})
	}
}

// TestTrackingBatchConcurrentIdenticalBatches sends the same batch twice at
// once: each tracking is created once, and both answers name it.
func TestTrackingBatchConcurrentIdenticalBatches(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			rows := make([]any, 300)
			for i := range rows {
				// Reversed in the second half, so the batches' rows differ in order too.
				rows[i] = map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("RACE%06d", i%150)}
			}
			var wg sync.WaitGroup
			answers := make([]batchResponse, 2)
			for k := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[k] = s.batch(rows...)
				}()
			}
			wg.Wait()
			if created := answers[0].Created + answers[1].Created; created != 150 {
				t.Errorf("two identical batches created %d trackings, want 150", created)
			}
			for i := range rows {
				a, b := answers[0].Results[i], answers[1].Results[i]
				if a.ID == "" || a.ID != b.ID {
					t.Errorf("row %d: ids %q and %q", i, a.ID, b.ID)
				}
			}
			if n := s.trackingCount(); n != 150 {
				t.Fatalf("%d trackings stored, want 150", n)
			}
		})
	}
}

// FuzzTrackingBatchRows sends fuzzed rows, with fields taken verbatim into
// the JSON and as a raw row, to both engines: never a 5xx, and always a
// result per row.
func FuzzTrackingBatchRows(f *testing.F) {
	var stacks []*stack
	for _, engine := range testdb.Engines() {
		stacks = append(stacks, newStack(f, engine))
	}
	f.Add("dhl", "1234567890", "title", "a@example.com", "US", "key", "value", []byte(`{"slug":"ups"}`))
	f.Add("dhl\x00", "12345\x0067890", "t\x00", "a\x00@example.com", "U\x00S", "k\x00", "v\x00", []byte("{\"title\":\"\\u0000\"}"))
	f.Add("\xff", "\xfe\xff", "\xc3\x28", "\xff@x.y", "\xff", "\xff", "\xff", []byte("{\"title\":\"\xff\"}"))
	f.Add(strings.Repeat("s", 300), strings.Repeat("9", 5000), strings.Repeat("t", 100000), strings.Repeat("e", 400)+"@x.com",
		strings.Repeat("c", 70), strings.Repeat("k", 300), strings.Repeat("v", 3000), []byte(`{"emails":[`+strings.Repeat(`"a@b.c",`, 50)+`"a@b.c"]}`))
	f.Add("", "", "", "", "", "", "", []byte(`null`))
	f.Add("usps", "9400111206213642173009", "", "", "", "", "", []byte(`{"tracking_number":{"a":1}}`))
	f.Fuzz(func(t *testing.T, slug, number, title, email, country, key, value string, raw []byte) {
		row := `{"slug":` + quoteRaw(slug) + `,"tracking_number":` + quoteRaw(number) + `,"title":` + quoteRaw(title) +
			`,"emails":[` + quoteRaw(email) + `],"destination_country_iso3":` + quoteRaw(country) +
			`,"custom_fields":{` + quoteRaw(key) + `:` + quoteRaw(value) + `}}`
		for _, body := range []string{`{"trackings":[` + row + `]}`, `{"trackings":[` + string(raw) + `]}`, `{"trackings":[` + row + `,` + string(raw) + `]}`} {
			for _, shared := range stacks {
				s := *shared
				s.t = t
				status, _, answer := s.rawCall(s.Key, "POST", "/v1/trackings/batch", body)
				if status >= 500 {
					t.Fatalf("%d for %q: %s", status, body, answer)
				}
				if status == 200 {
					var res batchResponse
					if err := json.Unmarshal(answer, &res); err != nil || len(res.Results) == 0 {
						t.Fatalf("answer %s: %v", answer, err)
					}
				}
			}
		}
	})
}

// quoteRaw puts s between quotes as it is, escaping only quotes and
// backslashes: invalid UTF-8 and control bytes reach the server as sent.
func quoteRaw(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
