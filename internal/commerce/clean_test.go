package commerce

import (
	"strings"
	"testing"
)

// TestWritesRefuseControlCharacters holds that every typed write refuses a
// string with a NUL, another C0 control character or invalid UTF-8 (what
// PostgreSQL and SQLite would not store alike), naming the field; tab and
// newline stay allowed.
func TestWritesRefuseControlCharacters(t *testing.T) {
	one, price := 1, 1.0
	sale := func(mut func(*ManualSale)) *ManualSale {
		in := &ManualSale{ExternalID: "s", LineItems: []LineItem{{ExternalID: "l", Name: "x", Quantity: &one, Price: &price}}}
		mut(in)
		return in
	}
	for _, tt := range []struct {
		name  string
		write interface{ Validate() error }
		field string
	}{
		{"sale id", sale(func(in *ManualSale) { in.ExternalID = "s\x00" }), "externalID"},
		{"sale notes", sale(func(in *ManualSale) { in.SaleDefaults.Notes = "\x1b[2J" }), "saleDefaults.notes"},
		{"sale tag", sale(func(in *ManualSale) { in.SaleDefaults.Tags = []string{"ok", "\x00"} }), "saleDefaults.tags[1]"},
		{"line property", sale(func(in *ManualSale) { in.LineItems[0].Properties = []PropertyInput{{Key: "k", Value: "v\xff"}} }),
			"lineItems[0].properties[0].value"},
		{"customer", sale(func(in *ManualSale) { in.Customer.FirstName = "A\x00" }), "customer.firstName"},
		{"variant", &VariantImport{Variants: []VariantInput{{SKU: "a\x00"}}}, "variants[0].sku"},
		{"vendor sku", &VendorSKUBatch{Entries: []SKUBatchEntry{{SKU: "a", VendorSKUs: []VendorSKUInput{{VendorSKU: "\x07", DropshipProviderExternalID: "v"}}}}},
			"entries[0].vendorSKUs[0].vendorSKU"},
		{"ship", &ShipInput{TrackingNumber: "1Z\x00"}, "trackingNumber"},
	} {
		err := tt.write.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field+" contains a control character") {
			t.Errorf("%s: %v, want a problem naming %s", tt.name, err, tt.field)
		}
	}
	ok := sale(func(in *ManualSale) { in.SaleDefaults.Notes = "line one\r\n\tline two" })
	if err := ok.Validate(); err != nil {
		t.Errorf("tab and newline in notes: %v", err)
	}
}
