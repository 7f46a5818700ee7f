package onportlink

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Onport's shapes, as the API answers and webhooks send them: the only
// JSON tags of the connector. Attributes Onport may send as null are
// pointers or nstr; side-loads are accepted under Onport's snake_case keys
// and in camelCase.

// nstr is a JSON string that may be null (read as "") or a number.
type nstr string

func (s *nstr) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = nstr(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("must be a string or a number")
		}
		*s = nstr(n.String())
	}
	return nil
}

// nid is an Onport id: a number, a numeric string, or null (0).
type nid int64

func (n *nid) UnmarshalJSON(b []byte) error {
	var s nstr
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
	if err != nil || v < 0 {
		return errors.New("must be an id")
	}
	*n = nid(v)
	return nil
}

type customerWire struct {
	ID        nid  `json:"id"`
	FirstName nstr `json:"firstName"`
	LastName  nstr `json:"lastName"`
	Email     nstr `json:"email"`
	Phone     nstr `json:"phone"`
}

type saleItemWire struct {
	ID                 nid      `json:"id"`
	Name               nstr     `json:"name"`
	DisplayName        nstr     `json:"displayName"`
	Quantity           *float64 `json:"quantity"`
	Price              *float64 `json:"price"`
	Taxable            *bool    `json:"taxable"`
	DropshipProviderID nid      `json:"dropshipProviderId"`
	ExternalVariantID  nstr     `json:"externalVariantId"`
}

type saleWire struct {
	ID                     nid            `json:"id"`
	Reference              nstr           `json:"reference"`
	DateOrdered            nstr           `json:"dateOrdered"`
	Notes                  nstr           `json:"notes"`
	Tags                   []string       `json:"tags"`
	BillingFirstName       nstr           `json:"billingFirstName"`
	BillingLastName        nstr           `json:"billingLastName"`
	BillingName            nstr           `json:"billingName"`
	BillingAddressLineOne  nstr           `json:"billingAddressLineOne"`
	BillingAddressLineTwo  nstr           `json:"billingAddressLineTwo"`
	BillingCity            nstr           `json:"billingCity"`
	BillingState           nstr           `json:"billingState"`
	BillingCountry         nstr           `json:"billingCountry"`
	BillingZip             nstr           `json:"billingZip"`
	BillingPhone           nstr           `json:"billingPhone"`
	BillingEmail           nstr           `json:"billingEmail"`
	ShippingFirstName      nstr           `json:"shippingFirstName"`
	ShippingLastName       nstr           `json:"shippingLastName"`
	ShippingName           nstr           `json:"shippingName"`
	ShippingAddressLineOne nstr           `json:"shippingAddressLineOne"`
	ShippingAddressLineTwo nstr           `json:"shippingAddressLineTwo"`
	ShippingCity           nstr           `json:"shippingCity"`
	ShippingState          nstr           `json:"shippingState"`
	ShippingCountry        nstr           `json:"shippingCountry"`
	ShippingZip            nstr           `json:"shippingZip"`
	ShippingPhone          nstr           `json:"shippingPhone"`
	ShippingEmail          nstr           `json:"shippingEmail"`
	Customer               *customerWire  `json:"customer"`
	SaleItems              []saleItemWire `json:"sale_items"`
	SaleItemsCamel         []saleItemWire `json:"saleItems"`
}

func (s saleWire) items() []saleItemWire {
	if len(s.SaleItems) > 0 {
		return s.SaleItems
	}
	return s.SaleItemsCamel
}

type purchaseWire struct {
	ID                 nid  `json:"id"`
	DropshipProviderID nid  `json:"dropshipProviderId"`
	Reference          nstr `json:"reference"`
}

type dropshipmentItemWire struct {
	ID             nid      `json:"id"`
	SaleItemID     nid      `json:"saleItemId"`
	PurchaseItemID nid      `json:"purchaseItemId"`
	Quantity       *float64 `json:"quantity"`
}

type dropshipmentWire struct {
	ID                   nid                    `json:"id"`
	SaleID               nid                    `json:"saleId"`
	PurchaseID           nid                    `json:"purchaseId"`
	TrackingNumber       nstr                   `json:"trackingNumber"`
	TrackingCompany      nstr                   `json:"trackingCompany"`
	ServiceLevel         nstr                   `json:"serviceLevel"`
	CreatedAt            nstr                   `json:"createdAt"`
	Purchase             *purchaseWire          `json:"purchase"`
	DropshipmentItems    []dropshipmentItemWire `json:"dropshipment_items"`
	DropshipmentItemsAlt []dropshipmentItemWire `json:"dropshipmentItems"`
}

func (d dropshipmentWire) items() []dropshipmentItemWire {
	if len(d.DropshipmentItems) > 0 {
		return d.DropshipmentItems
	}
	return d.DropshipmentItemsAlt
}

// hookWire is what a webhook body must hold: the resource's id at the top
// (Onport's resource webhooks), under "instance" (the custom channel's
// fulfillment bundle, seeds/003) or under "sale" (Waybill's own
// sale.dropship payload).
type hookWire struct {
	ID       nid `json:"id"`
	Instance *struct {
		ID nid `json:"id"`
	} `json:"instance"`
	Sale *struct {
		ID nid `json:"id"`
	} `json:"sale"`
}

// trackingURLWire is the body of PUT /api/dropshipments/:id.json.
type trackingURLWire struct {
	TrackingURL string `json:"trackingUrl"`
}

// trackingEventWire is the body of POST /api/tracking-events.json.
type trackingEventWire struct {
	TrackingEvents trackingEventFields `json:"trackingEvents"`
}

type trackingEventFields struct {
	DropshipmentID int64  `json:"dropshipmentId"`
	TransactionID  string `json:"transactionId"`
	ExternalID     string `json:"externalId"`
	StatusAt       string `json:"statusAt"`
	Status         string `json:"status"`
	SubStatus      string `json:"subStatus,omitempty"`
	ActionRequired bool   `json:"actionRequired"`
	Details        string `json:"details,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	Zip            string `json:"zip,omitempty"`
	Country        string `json:"country,omitempty"`
}
