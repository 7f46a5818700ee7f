package onport_test

import (
	"fmt"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestSideLoadSharedParents lists records that share the records they
// include: two dropshipments of one purchase (so of one sale, channel,
// customer and vendor), two purchases of one sale, two sales of one
// customer and channel. Every record must carry each include, not only
// the first of those that share it (issue 10).
func TestSideLoadSharedParents(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			chPath := fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)
			res := h.api("POST", chPath, sale("SH1", line("L1", "vendor-a", 1), line("L2", "vendor-a", 1), line("L3", "vendor-b", 1)))
			if res.Status != 201 {
				t.Fatalf("sale: %d %s", res.Status, res.Body)
			}
			s := res.object(t)
			saleID := num(s["id"])
			purchases := s["purchases"].([]any)
			if len(purchases) != 2 {
				t.Fatalf("want 2 purchases: %s", res.Body)
			}
			purchaseA := num(purchases[0].(map[string]any)["id"]) // vendor-a: lines L1 and L2
			items := s["sale_items"].([]any)
			for i, number := range []string{"1Z999AA10123456784", "1Z999AA10123456791"} {
				item := num(items[i].(map[string]any)["id"])
				res := h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchaseA), map[string]any{"trackingNumber": number,
					"trackingCompany": "UPS", "items": []any{map[string]any{"saleItemId": item}}})
				if res.Status != 201 {
					t.Fatalf("ship line %d: %d %s", i, res.Status, res.Body)
				}
			}
			if res := h.api("POST", chPath, sale("SH2", line("L1", "vendor-a", 1))); res.Status != 201 {
				t.Fatalf("second sale: %d %s", res.Status, res.Body)
			}

			check := func(path string, want int, keys ...string) []map[string]any {
				t.Helper()
				res := h.api("GET", path, nil)
				if res.Status != 200 {
					t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
				}
				list := res.array(t)
				if len(list) != want {
					t.Fatalf("GET %s: %d records, want %d", path, len(list), want)
				}
				for i, rec := range list {
					for _, key := range keys {
						if inc, ok := rec[key].(map[string]any); !ok || num(inc["id"]) == 0 {
							t.Errorf("GET %s: record %d has %s = %v", path, i, key, rec[key])
						}
					}
				}
				return list
			}

			ds := check(fmt.Sprintf("/api/dropshipments.json?where[saleId]=%d&include[0][model]=Channel&include[1][model]=Customer"+
				"&include[2][model]=DropshipProvider&include[3][model]=Purchase&include[4][model]=Sale", saleID), 2,
				"channel", "customer", "dropship_provider", "purchase", "sale")
			for _, key := range []string{"channel", "customer", "dropship_provider", "purchase", "sale"} {
				a, _ := ds[0][key].(map[string]any)
				b, _ := ds[1][key].(map[string]any)
				if a == nil || b == nil || num(a["id"]) != num(b["id"]) {
					t.Errorf("%s differs between dropshipments of one purchase: %v vs %v", key, ds[0][key], ds[1][key])
				}
			}
			check(fmt.Sprintf("/api/purchases.json?where[saleId]=%d&include[0][model]=Sale&include[1][model]=DropshipProvider", saleID), 2,
				"sale", "dropship_provider")
			check("/api/sales.json?include[0][model]=Customer&include[1][model]=Channel", 2, "customer", "channel")
			sales := check("/api/sales.json?include[0][model]=DropshipProvider&include[1][model]=Dropshipment", 2)
			if n := len(sales[0]["dropship_providers"].([]any)); n != 2 {
				t.Errorf("sale SH1 has %d vendors, want 2", n)
			}
			if n := len(sales[0]["dropshipments"].([]any)); n != 2 {
				t.Errorf("sale SH1 has %d dropshipments, want 2", n)
			}
			check(fmt.Sprintf("/api/dropshipments.json?where[purchaseId]=%d&include[0][model]=SaleItem", purchaseA), 2)
		})
	}
}
