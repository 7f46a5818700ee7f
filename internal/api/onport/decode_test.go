package onport_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/commerce"
)

// decodeManualSale decodes and validates a manual-sale body, as the
// synchronous API and the inbound processor do.
func decodeManualSale(body []byte) (*commerce.ManualSale, error) {
	w, err := onport.DecodeWrite(waybill.InboundManualSale, body)
	if err != nil {
		return nil, err
	}
	in := w.(*commerce.ManualSale)
	return in, in.Validate()
}

func TestDecodeManualSale(t *testing.T) {
	in, err := decodeManualSale([]byte(`{"externalId": 1001, "customer": {"email": "a@b.c"},
		"lineItems": [{"externalId": " L1 ", "name": "Mug", "quantity": 2, "price": 9.5, "variant": {"externalId": 55},
		"properties": [{"key": "vendor", "value": "v1"}, {"key": "size", "value": 42}]}],
		"shipping": [{"code": "std", "price": 4}], "unknownField": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "1001" || in.LineItems[0].ExternalID != "L1" || in.LineItems[0].VariantExternalID != "55" || in.LineItems[0].Vendor() != "v1" ||
		in.LineItems[0].Properties[1].Value != "42" {
		t.Fatalf("decoded %+v", in)
	}
	_, err = decodeManualSale([]byte(`{"lineItems":[{"quantity":-1,"price":"x"}]}`))
	var p *commerce.Problems
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "price") {
		t.Fatalf("bad payload: %v", err)
	}
	_, err = decodeManualSale([]byte(`{"lineItems":[{"quantity":-1,"price":1}]}`))
	if !errors.As(err, &p) || len(p.List) < 4 {
		t.Fatalf("want every problem listed, got %v", err)
	}
	for _, kind := range []string{waybill.InboundProducts, waybill.InboundAcknowledge, waybill.InboundDisconnect} {
		if _, err := onport.DecodeWrite(kind, []byte(`{"x":`)); !errors.As(err, &p) || !strings.Contains(err.Error(), "invalid JSON") {
			t.Errorf("%s: %v", kind, err)
		}
	}
	w, err := onport.DecodeWrite(waybill.InboundProducts, []byte(`{"variants":[{"sku":7,"vendorSkus":[{"vendorSku":"A","dropshipProviderExternalId":3}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if v := w.(*commerce.VariantImport).Variants[0]; v.SKU != "7" || v.VendorSKUs[0].DropshipProviderExternalID != "3" {
		t.Fatalf("decoded %+v", v)
	}
	w, err = onport.DecodeWrite(waybill.InboundDisconnect, []byte(`[{"sku":"S","vendorSkus":[{"vendorSku":"A","dropshipProviderExternalId":"v"}]}]`))
	if err != nil || !w.(*commerce.VendorSKUBatch).Disconnect {
		t.Fatalf("disconnect batch: %+v %v", w, err)
	}
}

// FuzzDecodeManualSale: no input panics, and every input is either
// accepted as a complete, valid sale or rejected with problems.
func FuzzDecodeManualSale(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"1","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
		`{"externalId":1,"saleDefaults":{"reference":"r"},"customer":{"email":"a@b"},"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1,"variant":{"externalId":2},"properties":[{"key":"k","value":1}]}],"shipping":[{"code":"c","price":1}]}`,
		`{"externalId":"1","lineItems":[]}`, `[]`, `null`, `{"externalId":{}}`, `{"lineItems":[{"quantity":1e400}]}`, "\xff",
		`{"externalId":"N\u0000","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
		"{\"externalId\":\"\xff\xfe\",\"lineItems\":[{\"externalId\":\"a\",\"name\":\"x\",\"quantity\":1,\"price\":1}]}",
		`{"externalId":"` + strings.Repeat("x", 100_000) + `","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeManualSale(body)
		if err != nil {
			var p *commerce.Problems
			if !errors.As(err, &p) || len(p.List) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		if in.ExternalID == "" || len(in.LineItems) == 0 {
			t.Fatalf("accepted an incomplete sale: %+v", in)
		}
		for _, li := range in.LineItems {
			if li.Quantity == nil || *li.Quantity < 1 || li.Price == nil || !validPrice(*li.Price) || li.ExternalID == "" {
				t.Fatalf("accepted a bad line: %+v", li)
			}
		}
		if onport.PeekExternalID("manual_sale", body) != in.ExternalID {
			t.Fatalf("PeekExternalID disagrees with the decoder: %q vs %q", onport.PeekExternalID("manual_sale", body), in.ExternalID)
		}
	})
}

func validPrice(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 && v <= 1e12 }
