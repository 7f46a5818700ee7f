package returns

import (
	"context"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Page is the shopper's page of one return: no personal data beyond the
// return itself.
type Page struct {
	OrgName  string
	Branding waybill.Branding
	Return   waybill.Return
	Settings waybill.ReturnSettings
	// ParcelToken is the page token of the return parcel's tracking
	// (/t/{token}), when it has one.
	ParcelToken string
	// CanAddTracking is true while the shopper may enter the return
	// parcel's tracking number: approved and none known yet.
	CanAddTracking bool
}

// ReturnPage returns the page of the return with that page token, or
// ENOTFOUND.
func (s *Service) ReturnPage(ctx context.Context, token string) (Page, error) {
	if token == "" || len(token) > 64 || !validID(token) {
		return Page{}, notFound()
	}
	q := s.Store.Read()
	r, _, err := q.ReturnByToken(ctx, token, false)
	if err != nil {
		return Page{}, err
	}
	p := Page{Return: r, CanAddTracking: r.Status == waybill.ReturnApproved && r.ReturnTrackingID == ""}
	if p.Branding, err = q.Branding(ctx, r.OrgID); err != nil {
		return Page{}, err
	}
	org, err := q.OrgByID(ctx, r.OrgID)
	if err != nil {
		return Page{}, err
	}
	p.OrgName = cmpOr(p.Branding.DisplayName, org.Name)
	if p.Settings, err = settings(ctx, q, r.OrgID); err != nil {
		return Page{}, err
	}
	if r.ReturnTrackingID != "" {
		t, err := q.Tracking(ctx, r.OrgID, r.ReturnTrackingID)
		if err == nil {
			p.ParcelToken = t.PageToken
		} else if waybill.ErrorCode(err) != waybill.ENOTFOUND {
			return Page{}, err
		}
	}
	return p, nil
}

// AddTracking records the return parcel's tracking number the shopper
// entered on the return's page (token): allowed while the return is
// approved and has none. The parcel becomes a tracking with
// shipment_direction "return"; an untrackable number is EINVALID.
func (s *Service) AddTracking(ctx context.Context, token, number, slug string) (waybill.Return, error) {
	number, slug = strings.TrimSpace(number), strings.TrimSpace(slug)
	if number == "" || !waybill.CleanLine(number, 100) || !waybill.CleanLine(slug, waybill.MaxCodeLen) {
		return waybill.Return{}, invalid("Enter the tracking number of your return parcel.")
	}
	if token == "" || len(token) > 64 || !validID(token) {
		return waybill.Return{}, notFound()
	}
	var r waybill.Return
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var seq int64
		var err error
		if r, seq, err = tx.ReturnByToken(ctx, token, true); err != nil {
			return err
		}
		if r.Status != waybill.ReturnApproved || r.ReturnTrackingID != "" {
			return &waybill.Error{Code: waybill.ECONFLICT, Reason: waybill.ReasonReturnStatus,
				Message: "This return's parcel is already known, or the return is not approved."}
		}
		return s.link(ctx, tx, seq, &r, number, slug)
	})
	if err != nil {
		return waybill.Return{}, err
	}
	return r, nil
}
