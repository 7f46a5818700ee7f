package tracking

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// Stop ends following a tracking without deciding its outcome (an order
// cancelled by its business): it becomes inactive, its tag stays, and a
// poll already queued finds it inactive and does nothing. Stop joins the
// transaction ctx carries (store.InTx), else runs in its own.
func (s *Service) Stop(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		t.Active = false
		t.NextPollAt = time.Time{}
		return nil
	}, nil)
}

// Renumber changes the tracking number of a tracking that has no
// checkpoint yet (a number given by mistake), keeping its courier, and
// polls the new number now. A tracking with checkpoints gives EINVALID
// (ReasonFieldInvalid); a number the organization already tracks with the
// courier gives ECONFLICT. It joins the transaction ctx carries.
func (s *Service) Renumber(ctx context.Context, orgID int64, id, number string) (waybill.Tracking, error) {
	number = normalize(number)
	if !validNumber(number) {
		return waybill.Tracking{}, waybill.Invalid(waybill.ReasonNumberInvalid, "The value of tracking_number is invalid.")
	}
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	var out waybill.Tracking
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		t, err := tx.Tracking(ctx, orgID, id)
		if err != nil {
			return err
		}
		if t.TrackingNumber == number {
			out = t
			return nil
		}
		if len(t.Checkpoints) > 0 {
			return fieldInvalid("The tracking number cannot change once the parcel has been scanned.")
		}
		if _, err := tx.TrackingByNumber(ctx, orgID, t.Slug, number); err == nil {
			return waybill.Errorf(waybill.ECONFLICT, "Tracking already exists.")
		} else if waybill.ErrorCode(err) != waybill.ENOTFOUND {
			return err
		}
		if t.Title == "" || t.Title == t.TrackingNumber {
			t.Title = number
		}
		t.TrackingNumber = number
		t.UpdatedAt = s.now()
		if t.Active {
			if err := s.schedulePoll(ctx, tx, &t, t.UpdatedAt, queue.PriorityUpdate); err != nil {
				return err
			}
		} else if err := tx.UpdateTracking(ctx, &t); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}
