package portal

import (
	"context"
	"strings"
	"unicode"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// LookupNumber returns the organization's shipments with that tracking
// number (spaces and case ignored), without personal data; ENOTFOUND when
// there is none.
func (s *Service) LookupNumber(ctx context.Context, orgID int64, number string) (Page, error) {
	if len(number) > 4*courier.MaxNumberLen {
		return Page{}, notFound()
	}
	number = courier.Normalize(number)
	if number == "" {
		return Page{}, notFound()
	}
	pt, err := s.Store.Read().NumberTrackings(ctx, orgID, number)
	if err != nil {
		return Page{}, err
	}
	if len(pt.Trackings) == 0 {
		return Page{}, notFound()
	}
	return page(pt), nil
}

// LookupOrder returns the order with that number or id when verify is an
// email, phone number or postal code given on it (on one of its trackings
// or on the Onport sale): its number, lines, recipient, and every shipment.
// A wrong order number and a wrong contact detail give the same ENOTFOUND,
// so a visitor learns nothing about which half was wrong.
func (s *Service) LookupOrder(ctx context.Context, orgID int64, order, verify string) (Page, error) {
	order, verify = strings.TrimSpace(order), strings.TrimSpace(verify)
	if order == "" || verify == "" || len(order) > MaxOrderNumberLen || len(verify) > MaxVerifyLen {
		return Page{}, notFound()
	}
	q := s.Store.Read()
	pt, err := q.OrderTrackings(ctx, orgID, order)
	if err != nil {
		return Page{}, err
	}
	saleID := order
	if len(pt.Trackings) > 0 && pt.Trackings[0].OrderID != "" {
		saleID = pt.Trackings[0].OrderID
	}
	sale, items, err := q.OrderSale(ctx, orgID, saleID)
	hasSale := err == nil
	if err != nil && waybill.ErrorCode(err) != waybill.ENOTFOUND {
		return Page{}, err
	}
	if len(pt.Trackings) == 0 && !hasSale {
		return Page{}, notFound()
	}
	var proven *waybill.Sale
	if hasSale {
		proven = &sale
	}
	if !ProvesOrder(verify, pt.Trackings, proven) {
		return Page{}, notFound()
	}
	if len(pt.Trackings) == 0 {
		// An order not shipped yet: its branding comes on its own.
		b, err := q.Branding(ctx, orgID)
		if err != nil {
			return Page{}, err
		}
		org, err := q.OrgByID(ctx, orgID)
		if err != nil {
			return Page{}, err
		}
		pt = store.PageTrackings{OrgID: orgID, OrgName: org.Name, Branding: b}
	}
	p := page(pt)
	o := &Order{Number: order, Proven: true}
	if len(pt.Trackings) > 0 && pt.Trackings[0].OrderNumber != "" {
		o.Number = pt.Trackings[0].OrderNumber
	} else if hasSale && sale.Reference != "" {
		o.Number = sale.Reference
	}
	for _, it := range items {
		o.Items = append(o.Items, Item{Name: it.Name, Quantity: it.Quantity})
	}
	o.Recipient = recipient(pt.Trackings, sale, hasSale)
	p.Order = o
	return p, nil
}

// recipient is the name and address a proven order shows: the sale's
// shipping address, else what the trackings hold.
func recipient(ts []waybill.Tracking, sale waybill.Sale, hasSale bool) *Recipient {
	var r Recipient
	if hasSale {
		a := sale.Shipping
		r.Name = a.FullName()
		for _, line := range []string{a.AddressLine1, a.AddressLine2, strings.TrimSpace(a.Zip + " " + a.City), place(a.State, a.Country)} {
			if line != "" {
				r.Address = append(r.Address, line)
			}
		}
	}
	for _, t := range ts {
		if r.Name == "" {
			r.Name = t.CustomerName
		}
		if len(r.Address) == 0 && t.DestinationRawLocation != "" {
			r.Address = []string{t.DestinationRawLocation}
		}
	}
	if r.Name == "" && len(r.Address) == 0 {
		return nil
	}
	return &r
}

// ProvesOrder reports whether verify is a contact detail given on the
// order: on one of its trackings (emails, phone numbers, postal codes) or
// on its sale (nil when it has none). It is the one rule for every page
// that asks a shopper to prove an order (see proves).
func ProvesOrder(verify string, ts []waybill.Tracking, sale *waybill.Sale) bool {
	var proof []string
	for _, t := range ts {
		proof = append(proof, t.Emails...)
		proof = append(proof, t.Smses...)
		proof = append(proof, t.DestinationPostalCode, t.CourierFields.PostalCode)
	}
	if sale != nil {
		for _, a := range []waybill.Address{sale.Shipping, sale.Billing} {
			proof = append(proof, a.Email, a.Phone, a.Zip)
		}
	}
	return proves(strings.TrimSpace(verify), proof)
}

// proves reports whether verify equals one of the order's contact details:
// an email (case ignored), a phone number (digits only; the last nine
// digits suffice, so a country code may be left out), or a postal code
// (case, spaces and dashes ignored).
func proves(verify string, details []string) bool {
	email := strings.ToLower(verify)
	digits := onlyDigits(verify)
	postal := postalCode(verify)
	for _, d := range details {
		if d == "" {
			continue
		}
		switch {
		case strings.Contains(d, "@"):
			if strings.ToLower(strings.TrimSpace(d)) == email {
				return true
			}
		case len(digits) >= 6 && len(onlyDigits(d)) >= 6 && phoneMatch(digits, onlyDigits(d)):
			return true
		case postal != "" && postalCode(d) == postal && len(postal) >= 3:
			return true
		}
	}
	return false
}

func phoneMatch(a, b string) bool {
	if a == b {
		return true
	}
	return len(a) >= 9 && len(b) >= 9 && a[len(a)-9:] == b[len(b)-9:]
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func postalCode(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}
