package portal

import (
	"context"

	"github.com/waybillhq/waybill"
)

// Lengths beyond which a lookup field cannot be a real one: tracking and
// order numbers are far shorter, and so is any email, phone number or
// postal code.
const (
	MaxLookupNumberLen = 100
	MaxOrderNumberLen  = 100
	MaxVerifyLen       = 200
)

// LookupForm is what a visitor asks the portal with, spaces around each
// field already trimmed: a tracking number, or an order number with an
// email, phone number or postal code given on the order.
type LookupForm struct {
	TrackingNumber string
	OrderNumber    string
	Verify         string
}

// Validate returns EINVALID when the form cannot be answered: it names
// neither a tracking number nor an order number with its contact detail,
// or a field is longer than any real one. A valid form may still find
// nothing (Lookup's ENOTFOUND).
func (f LookupForm) Validate() error {
	if f.TrackingNumber == "" && (f.OrderNumber == "" || f.Verify == "") {
		return waybill.Errorf(waybill.EINVALID, "A tracking number, or an order number with its email, phone number or postal code, is required.")
	}
	if len(f.TrackingNumber) > MaxLookupNumberLen || len(f.OrderNumber) > MaxOrderNumberLen || len(f.Verify) > MaxVerifyLen {
		return waybill.Errorf(waybill.EINVALID, "A field is longer than any real one.")
	}
	return nil
}

// Lookup answers a valid form: by tracking number when it has one
// (LookupNumber), else by order (LookupOrder). An invalid form gives
// Validate's EINVALID.
func (s *Service) Lookup(ctx context.Context, orgID int64, f LookupForm) (Page, error) {
	if err := f.Validate(); err != nil {
		return Page{}, err
	}
	if f.TrackingNumber != "" {
		return s.LookupNumber(ctx, orgID, f.TrackingNumber)
	}
	return s.LookupOrder(ctx, orgID, f.OrderNumber, f.Verify)
}
