package onport

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/waybillhq/waybill/internal/commerce"
)

// Onport's request bodies. They are decoded here and handed to commerce as
// its typed writes; commerce validates them.

// flexString is a JSON string that also accepts a number (channels send
// external ids either way).
type flexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("must be a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// manualSaleBody is the body of the manual-sale endpoints.
type manualSaleBody struct {
	ExternalID   flexString       `json:"externalId"`
	SaleDefaults saleDefaultsBody `json:"saleDefaults"`
	Customer     struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
	} `json:"customer"`
	LineItems []lineItemBody `json:"lineItems"`
	Shipping  []struct {
		Code         string   `json:"code"`
		Name         string   `json:"name"`
		ServiceLevel string   `json:"serviceLevel"`
		Price        *float64 `json:"price"`
	} `json:"shipping"`
}

type saleDefaultsBody struct {
	Reference              string   `json:"reference"`
	DateOrdered            string   `json:"dateOrdered"`
	Notes                  string   `json:"notes"`
	Tags                   []string `json:"tags"`
	BillingFirstName       string   `json:"billingFirstName"`
	BillingLastName        string   `json:"billingLastName"`
	BillingName            string   `json:"billingName"`
	BillingAddressLineOne  string   `json:"billingAddressLineOne"`
	BillingAddressLineTwo  string   `json:"billingAddressLineTwo"`
	BillingCity            string   `json:"billingCity"`
	BillingState           string   `json:"billingState"`
	BillingCountry         string   `json:"billingCountry"`
	BillingZip             string   `json:"billingZip"`
	BillingPhone           string   `json:"billingPhone"`
	BillingEmail           string   `json:"billingEmail"`
	ShippingFirstName      string   `json:"shippingFirstName"`
	ShippingLastName       string   `json:"shippingLastName"`
	ShippingName           string   `json:"shippingName"`
	ShippingAddressLineOne string   `json:"shippingAddressLineOne"`
	ShippingAddressLineTwo string   `json:"shippingAddressLineTwo"`
	ShippingCity           string   `json:"shippingCity"`
	ShippingState          string   `json:"shippingState"`
	ShippingCountry        string   `json:"shippingCountry"`
	ShippingZip            string   `json:"shippingZip"`
	ShippingPhone          string   `json:"shippingPhone"`
	ShippingEmail          string   `json:"shippingEmail"`
}

type lineItemBody struct {
	ExternalID flexString `json:"externalId"`
	Name       string     `json:"name"`
	Quantity   *int       `json:"quantity"`
	Price      *float64   `json:"price"`
	Taxable    bool       `json:"taxable"`
	Variant    struct {
		ExternalID flexString `json:"externalId"`
	} `json:"variant"`
	Properties []struct {
		Key   string     `json:"key"`
		Value flexString `json:"value"`
	} `json:"properties"`
}

func (b manualSaleBody) write() *commerce.ManualSale {
	d := b.SaleDefaults
	in := &commerce.ManualSale{
		ExternalID: string(b.ExternalID),
		SaleDefaults: commerce.SaleDefaults{Reference: d.Reference, DateOrdered: d.DateOrdered, Notes: d.Notes, Tags: d.Tags,
			BillingFirstName: d.BillingFirstName, BillingLastName: d.BillingLastName, BillingName: d.BillingName,
			BillingAddressLineOne: d.BillingAddressLineOne, BillingAddressLineTwo: d.BillingAddressLineTwo, BillingCity: d.BillingCity,
			BillingState: d.BillingState, BillingCountry: d.BillingCountry, BillingZip: d.BillingZip, BillingPhone: d.BillingPhone,
			BillingEmail: d.BillingEmail, ShippingFirstName: d.ShippingFirstName, ShippingLastName: d.ShippingLastName,
			ShippingName: d.ShippingName, ShippingAddressLineOne: d.ShippingAddressLineOne, ShippingAddressLineTwo: d.ShippingAddressLineTwo,
			ShippingCity: d.ShippingCity, ShippingState: d.ShippingState, ShippingCountry: d.ShippingCountry, ShippingZip: d.ShippingZip,
			ShippingPhone: d.ShippingPhone, ShippingEmail: d.ShippingEmail},
		Customer: commerce.CustomerInput{FirstName: b.Customer.FirstName, LastName: b.Customer.LastName, Email: b.Customer.Email},
	}
	for _, li := range b.LineItems {
		l := commerce.LineItem{ExternalID: string(li.ExternalID), Name: li.Name, Quantity: li.Quantity, Price: li.Price,
			Taxable: li.Taxable, VariantExternalID: string(li.Variant.ExternalID)}
		for _, p := range li.Properties {
			l.Properties = append(l.Properties, commerce.PropertyInput{Key: p.Key, Value: string(p.Value)})
		}
		in.LineItems = append(in.LineItems, l)
	}
	for _, s := range b.Shipping {
		in.Shipping = append(in.Shipping, commerce.ShippingLine{Code: s.Code, Name: s.Name, ServiceLevel: s.ServiceLevel, Price: s.Price})
	}
	return in
}

type vendorSKUBody struct {
	VendorSKU                  flexString `json:"vendorSku"`
	DropshipProviderExternalID flexString `json:"dropshipProviderExternalId"`
}

func vendorSKUs(bs []vendorSKUBody) []commerce.VendorSKUInput {
	var out []commerce.VendorSKUInput
	for _, b := range bs {
		out = append(out, commerce.VendorSKUInput{VendorSKU: string(b.VendorSKU), DropshipProviderExternalID: string(b.DropshipProviderExternalID)})
	}
	return out
}

// variantBody is one variant of a product import.
type variantBody struct {
	SKU               flexString      `json:"sku"`
	ExternalID        flexString      `json:"externalId"`
	Name              string          `json:"name"`
	Price             *float64        `json:"price"`
	ProductExternalID flexString      `json:"productExternalId"`
	ProductName       string          `json:"productName"`
	VendorSKUs        []vendorSKUBody `json:"vendorSkus"`
}

// skuBatchBody is one entry of an acknowledge or disconnect batch.
type skuBatchBody struct {
	SKU        flexString      `json:"sku"`
	VendorSKUs []vendorSKUBody `json:"vendorSkus"`
}

// shipBody is the body of POST /api/purchases/{id}/ship.json.
type shipBody struct {
	TrackingNumber  string `json:"trackingNumber"`
	TrackingCompany string `json:"trackingCompany"`
	TrackingURL     string `json:"trackingUrl"`
	ServiceLevel    string `json:"serviceLevel"`
	Items           []struct {
		PurchaseItemID int64 `json:"purchaseItemId"`
		SaleItemID     int64 `json:"saleItemId"`
		Quantity       int   `json:"quantity"`
	} `json:"items"`
}
