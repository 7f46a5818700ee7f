package commerce

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// ManualSale creates or updates a channel's sale, named by ExternalID
// (Onport's manual sale). Field names in validation messages are Onport's,
// the one dialect that sends it.
type ManualSale struct {
	ExternalID   string
	SaleDefaults SaleDefaults
	Customer     CustomerInput
	LineItems    []LineItem
	Shipping     []ShippingLine
}

// SaleDefaults are the sale-level fields of a manual sale. DateOrdered is
// RFC 3339; anything else leaves the sale's date as it is.
type SaleDefaults struct {
	Reference              string
	DateOrdered            string
	Notes                  string
	Tags                   []string
	BillingFirstName       string
	BillingLastName        string
	BillingName            string
	BillingAddressLineOne  string
	BillingAddressLineTwo  string
	BillingCity            string
	BillingState           string
	BillingCountry         string
	BillingZip             string
	BillingPhone           string
	BillingEmail           string
	ShippingFirstName      string
	ShippingLastName       string
	ShippingName           string
	ShippingAddressLineOne string
	ShippingAddressLineTwo string
	ShippingCity           string
	ShippingState          string
	ShippingCountry        string
	ShippingZip            string
	ShippingPhone          string
	ShippingEmail          string
}

// CustomerInput is the buyer of a manual sale.
type CustomerInput struct {
	FirstName string
	LastName  string
	Email     string
}

// LineItem is one line of a manual sale. Quantity and Price are required
// (nil: absent).
type LineItem struct {
	ExternalID        string
	Name              string
	Quantity          *int
	Price             *float64
	Taxable           bool
	VariantExternalID string
	Properties        []PropertyInput
}

// PropertyInput is a key/value of a line item.
type PropertyInput struct {
	Key   string
	Value string
}

// ShippingLine is a shipping method of a manual sale.
type ShippingLine struct {
	Code         string
	Name         string
	ServiceLevel string
	Price        *float64
}

// Limits on a manual sale.
const (
	maxLineItems = 500
	maxTags      = 50
	maxShipping  = 20
	maxText      = 1000
	maxIDLen     = 255
	maxQuantity  = 1_000_000
	maxPrice     = 1e12
)

// MaxExternalIDLen is the longest external id a write may carry.
const MaxExternalIDLen = maxIDLen

// Validate trims the ids and reports every problem of the sale (up to a
// bound) in a *Problems, which is EINVALID. It may be called again.
func (in *ManualSale) Validate() error {
	var p problems
	checkClean(&p, in)
	text := func(field, v string, limit int) {
		if len(v) > limit {
			p.add("%s is longer than %d characters", field, limit)
		}
	}
	id := strings.TrimSpace(in.ExternalID)
	switch {
	case id == "":
		p.add("externalId is required")
	case len(id) > maxIDLen:
		p.add("externalId is longer than %d characters", maxIDLen)
	}
	in.ExternalID = id
	d := in.SaleDefaults
	for field, v := range map[string]string{
		"saleDefaults.reference": d.Reference, "saleDefaults.notes": d.Notes, "saleDefaults.dateOrdered": d.DateOrdered,
		"saleDefaults.billingFirstName": d.BillingFirstName, "saleDefaults.billingLastName": d.BillingLastName,
		"saleDefaults.billingName": d.BillingName, "saleDefaults.billingAddressLineOne": d.BillingAddressLineOne,
		"saleDefaults.billingAddressLineTwo": d.BillingAddressLineTwo, "saleDefaults.billingCity": d.BillingCity,
		"saleDefaults.billingState": d.BillingState, "saleDefaults.billingCountry": d.BillingCountry,
		"saleDefaults.billingZip": d.BillingZip, "saleDefaults.billingPhone": d.BillingPhone, "saleDefaults.billingEmail": d.BillingEmail,
		"saleDefaults.shippingFirstName": d.ShippingFirstName, "saleDefaults.shippingLastName": d.ShippingLastName,
		"saleDefaults.shippingName": d.ShippingName, "saleDefaults.shippingAddressLineOne": d.ShippingAddressLineOne,
		"saleDefaults.shippingAddressLineTwo": d.ShippingAddressLineTwo, "saleDefaults.shippingCity": d.ShippingCity,
		"saleDefaults.shippingState": d.ShippingState, "saleDefaults.shippingCountry": d.ShippingCountry,
		"saleDefaults.shippingZip": d.ShippingZip, "saleDefaults.shippingPhone": d.ShippingPhone, "saleDefaults.shippingEmail": d.ShippingEmail,
		"customer.firstName": in.Customer.FirstName, "customer.lastName": in.Customer.LastName,
	} {
		text(field, v, maxText)
	}
	if len(d.Tags) > maxTags {
		p.add("saleDefaults.tags has more than %d tags", maxTags)
	}
	for i, tag := range d.Tags {
		if i >= maxTags {
			break
		}
		text(fmt.Sprintf("saleDefaults.tags[%d]", i), tag, waybill.MaxTagLen)
	}
	if e := strings.TrimSpace(in.Customer.Email); e != "" && (len(e) > 254 || !strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n")) {
		p.add("customer.email is not an email address")
	}
	switch {
	case len(in.LineItems) == 0:
		p.add("lineItems must have at least one line")
	case len(in.LineItems) > maxLineItems:
		p.add("lineItems has more than %d lines", maxLineItems)
	}
	seen := map[string]bool{}
	for i, li := range in.LineItems {
		if i >= maxLineItems {
			break
		}
		f := "lineItems[" + strconv.Itoa(i) + "]"
		lid := strings.TrimSpace(li.ExternalID)
		in.LineItems[i].ExternalID = lid
		switch {
		case lid == "":
			p.add("%s.externalId is required", f)
		case len(lid) > maxIDLen:
			p.add("%s.externalId is longer than %d characters", f, maxIDLen)
		case seen[lid]:
			p.add("%s.externalId %q appears twice", f, lid)
		}
		seen[lid] = true
		if strings.TrimSpace(li.Name) == "" {
			p.add("%s.name is required", f)
		}
		text(f+".name", li.Name, maxText)
		if li.Quantity == nil {
			p.add("%s.quantity is required", f)
		} else if *li.Quantity < 1 || *li.Quantity > maxQuantity {
			p.add("%s.quantity must be between 1 and %d", f, maxQuantity)
		}
		if li.Price == nil {
			p.add("%s.price is required", f)
		} else if !validPrice(*li.Price) {
			p.add("%s.price must be a number between 0 and %g", f, maxPrice)
		}
		if len(li.VariantExternalID) > maxIDLen {
			p.add("%s.variant.externalId is longer than %d characters", f, maxIDLen)
		}
		if len(li.Properties) > 50 {
			p.add("%s.properties has more than 50 entries", f)
		}
		for j, prop := range li.Properties {
			if strings.TrimSpace(prop.Key) == "" {
				p.add("%s.properties[%d].key is required", f, j)
			}
			text(fmt.Sprintf("%s.properties[%d].key", f, j), prop.Key, maxIDLen)
			text(fmt.Sprintf("%s.properties[%d].value", f, j), prop.Value, maxText)
		}
	}
	if len(in.Shipping) > maxShipping {
		p.add("shipping has more than %d lines", maxShipping)
	}
	for i, s := range in.Shipping {
		f := "shipping[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(s.Code) == "" && strings.TrimSpace(s.Name) == "" {
			p.add("%s needs a code or a name", f)
		}
		text(f+".code", s.Code, maxIDLen)
		text(f+".name", s.Name, maxText)
		text(f+".serviceLevel", s.ServiceLevel, maxIDLen)
		if s.Price != nil && !validPrice(*s.Price) {
			p.add("%s.price must be a number between 0 and %g", f, maxPrice)
		}
	}
	return p.err()
}

func (in *ManualSale) apply(ctx context.Context, s *Service, tx *store.Tx, ch waybill.Channel) (*waybill.InboundResult, error) {
	return s.upsertSale(ctx, tx, ch, in)
}

func validPrice(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 && v <= maxPrice
}

// vendorProperties name the line property that routes a line to a vendor
// (a dropship provider's external id) when its variant does not.
var vendorProperties = []string{"dropshipProviderExternalId", "vendor", "_vendor"}

// Vendor returns the external id of the vendor the line's properties route
// it to, or "".
func (li LineItem) Vendor() string {
	for _, p := range li.Properties {
		for _, k := range vendorProperties {
			if strings.EqualFold(p.Key, k) && strings.TrimSpace(p.Value) != "" {
				return strings.TrimSpace(p.Value)
			}
		}
	}
	return ""
}
