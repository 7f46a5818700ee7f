package returns

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
)

func TestTrackerItems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		items string
		want  []Item
	}{
		{"none", `[]`, nil},
		{"sku, name, quantity", `[{"sku":"SHIRT-M","name":"Linen shirt","quantity":2}]`,
			[]Item{{ID: "T1/SHIRT-M", Name: "Linen shirt", SKU: "SHIRT-M", Ordered: 2}}},
		{"id before sku, title, qty as text", `[{"itemId":"A7","sku":"S","title":"Socks","qty":"3"}]`,
			[]Item{{ID: "T1/A7", Name: "Socks", SKU: "S", Ordered: 3}}},
		{"no quantity is one, no name is the sku", `[{"sku":"GIFT-CARD"}]`,
			[]Item{{ID: "T1/GIFT-CARD", Name: "GIFT-CARD", SKU: "GIFT-CARD", Ordered: 1}}},
		{"nothing but a quantity", `[{"quantity":4}]`, []Item{{ID: "T1/1", Name: "Item 1", Ordered: 4}}},
		{"zero, negative, fraction, junk left out", `[{"sku":"A","quantity":0},{"sku":"B","quantity":-1},{"sku":"C","quantity":1.5},{"sku":"D","quantity":{}},{"sku":"E","quantity":"x"}]`, nil},
		{"numeric id", `[{"id":12,"name":"Lamp"}]`, []Item{{ID: "T1/12", Name: "Lamp", Ordered: 1}}},
		{"repeated id made unique", `[{"sku":"S","quantity":1},{"sku":"S","quantity":2}]`,
			[]Item{{ID: "T1/S", Name: "S", SKU: "S", Ordered: 1}, {ID: "T1/2-2", Name: "S", SKU: "S", Ordered: 2}}},
		{"huge quantity capped", `[{"sku":"S","quantity":1e12}]`, []Item{{ID: "T1/S", Name: "S", SKU: "S", Ordered: maxItemQuantity}}},
		{"a name with a line break is not a name", `[{"sku":"S","name":"a\nb"}]`, []Item{{ID: "T1/S", Name: "S", SKU: "S", Ordered: 1}}},
	} {
		var items []map[string]any
		if err := json.Unmarshal([]byte(tt.items), &items); err != nil {
			t.Fatal(err)
		}
		got := trackerItems(waybill.Tracker{ExternalID: "T1", Items: items})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}
