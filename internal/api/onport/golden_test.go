package onport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill/internal/testdb"
)

// compareGolden compares got with testdata/name, and rewrites the file
// first when the test runs with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestSaleWithIncludesGolden serves a sale with its customer and lines
// side-loaded, as GET /api/sales/{id}.json answers, and compares it with
// testdata/sale_with_includes.golden.json on every engine.
func TestSaleWithIncludesGolden(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			at := time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
			h.Commerce.Now = func() time.Time { return at }
			body := sale("G1", line("L1", "vendor-a", 2), line("L2", "vendor-b", 1))
			body["saleDefaults"].(map[string]any)["dateOrdered"] = "2026-03-13T18:00:00Z"
			body["saleDefaults"].(map[string]any)["tags"] = []string{"gift"}
			body["saleDefaults"].(map[string]any)["notes"] = "Leave at the door"
			res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), body)
			if res.Status != 201 {
				t.Fatalf("sale: %d %s", res.Status, res.Body)
			}
			res = h.api("GET", fmt.Sprintf("/api/sales/%d.json?include[0][model]=Customer&include[1][model]=SaleItem", num(res.object(t)["id"])), nil)
			if res.Status != 200 {
				t.Fatalf("get: %d %s", res.Status, res.Body)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, bytes.TrimSpace(res.Body), "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			compareGolden(t, "sale_with_includes.golden.json", out.Bytes())
		})
	}
}
