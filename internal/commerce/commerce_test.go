package commerce

import (
	"errors"
	"strings"
	"testing"
)

func TestCourierSlug(t *testing.T) {
	for _, tt := range []struct{ company, want string }{
		{"UPS", "ups"}, {"ups", "ups"}, {"UPS Ground", "ups"}, {"United Parcel Service", "ups"},
		{"FedEx", "fedex"}, {"FedEx Ground", "fedex"}, {"Fedex Home Delivery", "fedex"}, {"Federal Express", "fedex"},
		{"Royal Mail", "royal-mail"}, {"Royal Mail 24", "royal-mail"}, {"Royal Mail Tracked 48", "royal-mail"},
		{"DHL", "dhl"}, {"DHL Express", "dhl"}, {"DHL eCommerce", "dhl-ecommerce"}, {"DHL Paket", "deutsch-post"},
		{"USPS", "usps"}, {"USPS Priority", "usps"}, {"USPS Priority Mail", "usps"}, {"U.S.P.S.", "usps"},
		{"Canada Post", "canada-post"}, {"Postes Canada", "canada-post"}, {"Australia Post", "australia-post"},
		{"Evri", "hermes"}, {"DPD UK", "dpd-uk"}, {"DPD", "dpd"}, {"PostNL", "postnl"}, {"La Poste", "la-poste-colissimo"},
		{"ABC", ""}, {"", ""}, {"  ", ""}, {"Some Local Courier", ""},
	} {
		if got := CourierSlug(tt.company); got != tt.want {
			t.Errorf("CourierSlug(%q) = %q, want %q", tt.company, got, tt.want)
		}
	}
}

func TestDecodeManualSale(t *testing.T) {
	in, err := DecodeManualSale([]byte(`{"externalId": 1001, "customer": {"email": "a@b.c"},
		"lineItems": [{"externalId": " L1 ", "name": "Mug", "quantity": 2, "price": 9.5, "variant": {"externalId": 55},
		"properties": [{"key": "vendor", "value": "v1"}, {"key": "size", "value": 42}]}],
		"shipping": [{"code": "std", "price": 4}], "unknownField": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "1001" || in.LineItems[0].ExternalID != "L1" || in.LineItems[0].Variant.ExternalID != "55" || in.LineItems[0].vendor() != "v1" {
		t.Fatalf("decoded %+v", in)
	}
	_, err = DecodeManualSale([]byte(`{"lineItems":[{"quantity":-1,"price":"x"}]}`))
	var p *Problems
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "price") {
		t.Fatalf("bad payload: %v", err)
	}
	_, err = DecodeManualSale([]byte(`{"lineItems":[{"quantity":-1,"price":1}]}`))
	if !errors.As(err, &p) || len(p.List) < 4 {
		t.Fatalf("want every problem listed, got %v", err)
	}
}

// FuzzDecodeManualSale: no input panics, and every input is either
// accepted as a complete, valid sale or rejected with problems.
func FuzzDecodeManualSale(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"1","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
		`{"externalId":1,"saleDefaults":{"reference":"r"},"customer":{"email":"a@b"},"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1,"variant":{"externalId":2},"properties":[{"key":"k","value":1}]}],"shipping":[{"code":"c","price":1}]}`,
		`{"externalId":"1","lineItems":[]}`, `[]`, `null`, `{"externalId":{}}`, `{"lineItems":[{"quantity":1e400}]}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeManualSale(body)
		if err != nil {
			var p *Problems
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
		if PeekExternalID("manual_sale", body) != string(in.ExternalID) {
			t.Fatalf("PeekExternalID disagrees with the decoder: %q vs %q", PeekExternalID("manual_sale", body), in.ExternalID)
		}
	})
}
