package commerce

import (
	"context"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// DropshipmentUpdate changes a dropshipment's tracking fields (Onport's
// PUT /api/dropshipments/:id.json). Nil fields are left as they are.
type DropshipmentUpdate struct {
	TrackingNumber  *string
	TrackingCompany *string
	TrackingURL     *string
	ServiceLevel    *string
}

// Validate reports every problem of the update.
func (in *DropshipmentUpdate) Validate() error {
	var p problems
	checkClean(&p, in)
	if in.TrackingNumber != nil {
		n := strings.TrimSpace(*in.TrackingNumber)
		in.TrackingNumber = &n
		if len(n) > 64 {
			p.add("trackingNumber is longer than 64 characters")
		}
	}
	if in.TrackingCompany != nil && len(*in.TrackingCompany) > maxIDLen {
		p.add("trackingCompany is longer than %d characters", maxIDLen)
	}
	if in.TrackingURL != nil && len(*in.TrackingURL) > 2048 {
		p.add("trackingUrl is longer than 2048 characters")
	}
	if in.ServiceLevel != nil && len(*in.ServiceLevel) > maxIDLen {
		p.add("serviceLevel is longer than %d characters", maxIDLen)
	}
	return p.err()
}

// UpdateDropshipment changes the present fields of a dropshipment. A new
// tracking number (or company) links the dropshipment to that parcel's
// tracking, found or made as Ship does; replaced is then the tracking it
// was linked to before ("" when the link did not change), which the caller
// may remove. UpdateDropshipment joins the transaction ctx carries, else
// opens its own.
func (s *Service) UpdateDropshipment(ctx context.Context, orgID, id int64, in DropshipmentUpdate) (d waybill.Dropshipment, replaced string, err error) {
	if err := in.Validate(); err != nil {
		return d, "", err
	}
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if d, err = tx.Dropshipment(ctx, orgID, id); err != nil {
			return err
		}
		retrack := false
		if in.TrackingNumber != nil && *in.TrackingNumber != d.TrackingNumber {
			d.TrackingNumber, retrack = *in.TrackingNumber, true
		}
		if in.TrackingCompany != nil && strings.TrimSpace(*in.TrackingCompany) != d.TrackingCompany {
			d.TrackingCompany, retrack = strings.TrimSpace(*in.TrackingCompany), true
		}
		if in.TrackingURL != nil {
			d.TrackingURL = strings.TrimSpace(*in.TrackingURL)
		}
		if in.ServiceLevel != nil {
			d.ServiceLevel = *in.ServiceLevel
		}
		if retrack && s.Trackings != nil {
			old := d.TrackingID
			d.TrackingID, d.Slug, d.TrackingError = "", "", ""
			if d.TrackingNumber != "" {
				sale, err := tx.Sale(ctx, orgID, d.SaleID)
				if err != nil {
					return err
				}
				t, err := s.trackingFor(ctx, sale, d)
				switch code := waybill.ErrorCode(err); code {
				case "":
					d.TrackingID, d.Slug = t.ID, t.Slug
				case waybill.EINVALID:
					d.TrackingError = waybill.ErrorMessage(err)
				default:
					return fmt.Errorf("tracking for dropshipment %d: %w", d.ID, err)
				}
			}
			if old != d.TrackingID {
				replaced = old
			}
		}
		d.UpdatedAt = s.now()
		return tx.SaveDropshipment(ctx, &d)
	})
	if err != nil {
		return waybill.Dropshipment{}, "", err
	}
	return d, replaced, nil
}
