package commerce

import (
	"errors"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
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

func TestManualSaleValidate(t *testing.T) {
	qty, price := 2, 9.5
	in := ManualSale{ExternalID: " 1001 ", LineItems: []LineItem{{ExternalID: " L1 ", Name: "Mug", Quantity: &qty, Price: &price,
		VariantExternalID: "55", Properties: []PropertyInput{{Key: "vendor", Value: "v1"}, {Key: "size", Value: "42"}}}}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "1001" || in.LineItems[0].ExternalID != "L1" || in.LineItems[0].Vendor() != "v1" {
		t.Fatalf("validated %+v", in)
	}
	bad, neg := -1, 1.0
	err := (&ManualSale{LineItems: []LineItem{{Quantity: &bad, Price: &neg}}}).Validate()
	var p *Problems
	if !errors.As(err, &p) || len(p.List) < 4 || !strings.Contains(err.Error(), "quantity must be between") {
		t.Fatalf("want every problem listed, got %v", err)
	}
	if err := NewProblems("invalid JSON: x"); !errors.As(err, &p) || p.List[0] != "invalid JSON: x" || waybill.ErrorCode(err) != waybill.EINVALID {
		t.Fatalf("NewProblems: %v", err)
	}
}
