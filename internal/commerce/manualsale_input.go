package commerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
)

// FlexString is a JSON string that also accepts a number (channels send
// external ids either way).
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
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
	*f = FlexString(n.String())
	return nil
}

// ManualSaleInput is the body of Onport's manual-sale endpoints.
type ManualSaleInput struct {
	ExternalID   FlexString     `json:"externalId"`
	SaleDefaults SaleDefaults   `json:"saleDefaults"`
	Customer     CustomerInput  `json:"customer"`
	LineItems    []LineItem     `json:"lineItems"`
	Shipping     []ShippingLine `json:"shipping"`
}

// SaleDefaults are the sale-level fields of a manual sale.
type SaleDefaults struct {
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

// CustomerInput is the buyer of a manual sale.
type CustomerInput struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

// LineItem is one line of a manual sale.
type LineItem struct {
	ExternalID FlexString `json:"externalId"`
	Name       string     `json:"name"`
	Quantity   *int       `json:"quantity"`
	Price      *float64   `json:"price"`
	Taxable    bool       `json:"taxable"`
	Variant    struct {
		ExternalID FlexString `json:"externalId"`
	} `json:"variant"`
	Properties []PropertyInput `json:"properties"`
}

// PropertyInput is a key/value of a line item; the value may be any scalar.
type PropertyInput struct {
	Key   string     `json:"key"`
	Value FlexString `json:"value"`
}

// ShippingLine is a shipping method of a manual sale.
type ShippingLine struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	ServiceLevel string   `json:"serviceLevel"`
	Price        *float64 `json:"price"`
}

// Limits on a manual sale.
const (
	maxLineItems = 500
	maxShipping  = 20
	maxText      = 1000
	maxIDLen     = 255
	maxQuantity  = 1_000_000
	maxPrice     = 1e12
)

// DecodeManualSale parses and validates a manual-sale body. Every problem
// is reported (up to a bound) in a *Problems, which is EINVALID.
func DecodeManualSale(body []byte) (ManualSaleInput, error) {
	var in ManualSaleInput
	if err := decodeJSON(body, &in); err != nil {
		return in, err
	}
	return in, in.Validate()
}

// decodeJSON decodes one JSON value; anything after it, or a value of the
// wrong shape, is EINVALID with a message that is safe to show.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return problems{"body is not valid UTF-8"}.err()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return problems{"invalid JSON: " + jsonProblem(err)}.err()
	}
	if dec.More() {
		return problems{"invalid JSON: unexpected data after the payload"}.err()
	}
	return nil
}

func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "payload"
		}
		return fmt.Sprintf("%s must be %s, not %s", field, kindName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("syntax error at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or truncated"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func kindName(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return k
}

// Validate reports every problem of a decoded manual sale.
func (in *ManualSaleInput) Validate() error {
	var p problems
	text := func(field, v string, limit int) {
		if len(v) > limit {
			p.add("%s is longer than %d characters", field, limit)
		}
	}
	id := strings.TrimSpace(string(in.ExternalID))
	switch {
	case id == "":
		p.add("externalId is required")
	case len(id) > maxIDLen:
		p.add("externalId is longer than %d characters", maxIDLen)
	}
	in.ExternalID = FlexString(id)
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
	if len(d.Tags) > 50 {
		p.add("saleDefaults.tags has more than 50 tags")
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
		lid := strings.TrimSpace(string(li.ExternalID))
		in.LineItems[i].ExternalID = FlexString(lid)
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
		if len(li.Variant.ExternalID) > maxIDLen {
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
			text(fmt.Sprintf("%s.properties[%d].value", f, j), string(prop.Value), maxText)
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

func validPrice(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 && v <= maxPrice
}

// vendorProperty names the line property that routes a line to a vendor
// (a dropship provider's external id) when its variant does not.
var vendorProperties = []string{"dropshipProviderExternalId", "vendor", "_vendor"}

func (li LineItem) vendor() string {
	for _, p := range li.Properties {
		for _, k := range vendorProperties {
			if strings.EqualFold(p.Key, k) && strings.TrimSpace(string(p.Value)) != "" {
				return strings.TrimSpace(string(p.Value))
			}
		}
	}
	return ""
}

// DecodeJSON decodes one JSON value into v; a bad body is EINVALID with a
// message that is safe to show.
func DecodeJSON(body []byte, v any) error { return decodeJSON(body, v) }

// PeekExternalID returns the external id of a manual-sale body, or "" when
// the body has none or is not one (it is checked in full later).
func PeekExternalID(kind string, body []byte) string {
	if kind != waybill.InboundManualSale {
		return ""
	}
	var head struct {
		ExternalID FlexString `json:"externalId"`
	}
	if json.Unmarshal(body, &head) != nil {
		return ""
	}
	id := strings.TrimSpace(string(head.ExternalID))
	if len(id) > maxIDLen {
		return ""
	}
	return id
}
