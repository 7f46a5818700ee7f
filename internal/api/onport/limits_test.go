package onport_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestSaleTagOfAMillionCharacters sends a manual sale whose one tag is
// 1,000,000 characters (it was once stored as given). The synchronous
// write answers Onport's 400 naming the tag and stores nothing; the
// asynchronous one is accepted for processing (the face checks only the
// body's strings there) and fails in the API logs with the same problem,
// storing nothing either. So do 51 tags.
func TestSaleTagOfAMillionCharacters(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			for _, tt := range []struct {
				name, ext string
				tags      []string
				problem   string
			}{
				{"one long tag", "HUGE", []string{"rush", strings.Repeat("t", 1_000_000)}, "saleDefaults.tags[1] is longer than 256 characters"},
				{"51 tags", "MANY", strings.Split(strings.Repeat("t,", 50)+"t", ","), "saleDefaults.tags has more than 50 tags"},
			} {
				body := sale(tt.ext, line("L1", "vendor-a", 1))
				body["saleDefaults"].(map[string]any)["tags"] = tt.tags
				before := rowCounts(t, h)
				res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), body)
				var e onportError
				if res.Status != 400 || json.Unmarshal(res.Body, &e) != nil || e.Message == nil || !strings.Contains(strings.Join(e.Errors, "; "), tt.problem) {
					t.Fatalf("%s, sync: %d %.300s; want Onport's 400 naming %q", tt.name, res.Status, res.Body, tt.problem)
				}
				if after := rowCounts(t, h); after != before {
					t.Errorf("%s, sync: refused but changed rows:\nbefore %s\nafter  %s", tt.name, before, after)
				}
				if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", body); res.Status != 200 {
					t.Fatalf("%s, async: %d %.300s", tt.name, res.Status, res.Body)
				}
				h.drain(h.Channel.ID)
				logs := h.logs("externalId=" + tt.ext)
				if len(logs) != 1 || logs[0]["status"] != "failed" || !strings.Contains(fmt.Sprint(logs[0]["errors"]), tt.problem) {
					t.Errorf("%s, async log: %.500v; want failed naming %q", tt.name, logs, tt.problem)
				}
				if after := rowCounts(t, h); after != before {
					t.Errorf("%s, async: failed but changed rows:\nbefore %s\nafter  %s", tt.name, before, after)
				}
			}
		})
	}
}
