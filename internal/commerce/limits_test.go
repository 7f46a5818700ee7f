package commerce

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestWritesBoundEveryString holds that every string of every typed write
// has a length limit: each one in turn is set to 1,000,000 characters in an
// otherwise valid write, and Validate refuses it. A new field without a
// limit fails here. (A 1,000,000-character sale tag was once stored.)
func TestWritesBoundEveryString(t *testing.T) {
	one, price := 1, 1.0
	vendorSKUs := func() []VendorSKUInput { return []VendorSKUInput{{VendorSKU: "VS1", DropshipProviderExternalID: "v"}} }
	writes := map[string]func() interface{ Validate() error }{
		"manual sale": func() interface{ Validate() error } {
			return &ManualSale{ExternalID: "S1", SaleDefaults: SaleDefaults{Tags: []string{"rush"}},
				Customer: CustomerInput{FirstName: "Ada", Email: "ada@example.com"},
				LineItems: []LineItem{{ExternalID: "L1", Name: "Mug", Quantity: &one, Price: &price, VariantExternalID: "V1",
					Properties: []PropertyInput{{Key: "vendor", Value: "v"}}}},
				Shipping: []ShippingLine{{Code: "std", Name: "Standard", ServiceLevel: "ground"}}}
		},
		"variant import": func() interface{ Validate() error } {
			return &VariantImport{Variants: []VariantInput{{SKU: "S1", ExternalID: "V1", Name: "Mug", ProductExternalID: "P1",
				ProductName: "Mug", VendorSKUs: vendorSKUs()}}}
		},
		"vendor sku batch": func() interface{ Validate() error } {
			return &VendorSKUBatch{Entries: []SKUBatchEntry{{SKU: "S1", VendorSKUs: vendorSKUs()}}}
		},
		"ship": func() interface{ Validate() error } {
			return &ShipInput{TrackingNumber: "1Z999AA10123456784", TrackingCompany: "UPS", TrackingURL: "https://ups.example/t",
				ServiceLevel: "ground", Items: []ShipItemInput{{SaleItemID: 1}}}
		},
	}
	huge := strings.Repeat("a", 1_000_000)
	for name, newWrite := range writes {
		if err := newWrite().Validate(); err != nil {
			t.Fatalf("%s: the base write is refused: %v", name, err)
		}
		n := len(stringFields(reflect.ValueOf(newWrite())))
		if n == 0 {
			t.Fatalf("%s: no strings found", name)
		}
		for i := range n {
			w := newWrite()
			f := stringFields(reflect.ValueOf(w))[i]
			f.value.SetString(huge)
			if err := w.Validate(); err == nil {
				t.Errorf("%s: %s of 1,000,000 characters accepted", name, f.path)
			}
		}
	}
}

// TestWritesBoundEveryList holds that the lists of a write are bounded:
// 1,001 tags, lines, properties, variants or vendor SKUs are refused.
func TestWritesBoundEveryList(t *testing.T) {
	one, price := 1, 1.0
	many := func(n int, s string) []string { return strings.Split(strings.Repeat(s+",", n-1)+s, ",") }
	lines := make([]LineItem, 1001)
	for i := range lines {
		lines[i] = LineItem{ExternalID: fmt.Sprint("L", i), Name: "x", Quantity: &one, Price: &price}
	}
	for name, w := range map[string]interface{ Validate() error }{
		"tags": &ManualSale{ExternalID: "S", SaleDefaults: SaleDefaults{Tags: many(1001, "t")},
			LineItems: []LineItem{{ExternalID: "L", Name: "x", Quantity: &one, Price: &price}}},
		"lines": &ManualSale{ExternalID: "S", LineItems: lines},
		"properties": &ManualSale{ExternalID: "S", LineItems: []LineItem{{ExternalID: "L", Name: "x", Quantity: &one, Price: &price,
			Properties: make([]PropertyInput, 1001)}}},
		"shipping":    &ManualSale{ExternalID: "S", Shipping: make([]ShippingLine, 1001)},
		"variants":    &VariantImport{Variants: make([]VariantInput, 1001)},
		"vendor skus": &VariantImport{Variants: []VariantInput{{SKU: "S", VendorSKUs: make([]VendorSKUInput, 1001)}}},
		"entries":     &VendorSKUBatch{Entries: make([]SKUBatchEntry, 1001)},
		"ship items":  &ShipInput{Items: make([]ShipItemInput, 1001)},
	} {
		if err := w.Validate(); err == nil {
			t.Errorf("%s: 1,001 accepted", name)
		}
	}
}

type stringField struct {
	path  string
	value reflect.Value
}

// stringFields lists the settable strings of v (structs, slices and
// pointers are walked), in a stable order.
func stringFields(v reflect.Value) []stringField {
	var out []stringField
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.String:
			out = append(out, stringField{path, v})
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), path+"[]")
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), path+"."+v.Type().Field(i).Name)
				}
			}
		}
	}
	walk(v, "")
	return out
}
