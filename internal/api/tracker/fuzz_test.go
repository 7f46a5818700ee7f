package tracker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// FuzzCreate sends the seed's request with fuzzed values (and a fuzzed raw
// body) to both engines: no answer is a 5xx, and a refused create leaves
// no tracker and no tracking behind. The seed corpus (NUL, invalid UTF-8,
// overlong values) runs in plain go test.
func FuzzCreate(f *testing.F) {
	long := strings.Repeat("x", 10001)
	f.Add([]byte(`{}`), "tracker-a", "del_004", "US", "ring", "+12322322323")
	f.Add([]byte("{\"provider\":\"Self Delivery\x00\"}"), "nul\x00id", "del\x00004", "U\x00S", "ring\x00", "+1\x00")
	f.Add([]byte("\xff\xfe"), "bad\xffutf8", "del\xff", "\xffUS", "\xc3\x28", "\xff")
	f.Add([]byte(`{"trackingId": 5}`), strings.Repeat("i", 101), strings.Repeat("9", 101), "United States", long, strings.Repeat("1", 40))
	f.Add([]byte(`[]`), "", "", "", "", "")
	f.Add([]byte(`{"orderAttributes": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}`), "deep", "SBXDELIVERED1", "usa", "\t\n", "not a phone")

	var stacks []*stack
	for _, engine := range testdb.Engines() {
		s := newStack(f, engine, "fuzz_business", nil)
		s.configure("Self Delivery", "sandbox")
		stacks = append(stacks, s)
	}
	f.Fuzz(func(t *testing.T, body []byte, ext, number, country, text, phone string) {
		req := seedRequest(t, func(m map[string]any) {
			m["trackerExternalId"], m["trackingId"] = ext, number
			m["deliveryAddress"].(map[string]any)["countryCode"] = country
			m["deliveryInstructions"] = text
			m["deliveryContact"].(map[string]any)["phone"] = phone
			m["orderAttributes"] = map[string]any{text: text}
		})
		for _, s := range stacks {
			s.t = t
			before := counts(t, s)
			for _, b := range []any{req, body} {
				code, raw := s.do("POST", "/api/v2/tracker", b, map[string]string{"x-api-key": s.Key, "tenantId": s.Org.Name})
				if code >= 500 {
					t.Fatalf("create answered %d: %s", code, raw)
				}
				var out map[string]any
				if code != http.StatusCreated {
					if err := json.Unmarshal(raw, &out); err != nil || out["type"] == nil || out["severity"] != "hard" {
						t.Fatalf("a refusal not in the vendor's model: %d %s", code, raw)
					}
					continue
				}
				before.trackers++
				before.trackings++
			}
			if after := counts(t, s); after.trackers > before.trackers || after.trackings > before.trackings {
				t.Fatalf("refused creates left records behind: before %+v (with the accepted), after %+v", before, after)
			}
		}
	})
}

type recordCounts struct{ trackers, trackings int }

func counts(t testing.TB, s *stack) recordCounts {
	t.Helper()
	_, trackers, err := s.Trackers.List(context.Background(), s.Org.ID, waybill.TrackerFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Trackings.List(context.Background(), s.Org.ID, waybill.TrackingFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return recordCounts{trackers, page.Total}
}
