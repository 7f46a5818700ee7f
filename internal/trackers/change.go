package trackers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Get returns the organization's tracker with that trackerExternalId, or
// ENOTFOUND.
func (s *Service) Get(ctx context.Context, orgID int64, externalID string) (View, error) {
	if !waybill.CleanLine(externalID, waybill.MaxTrackerIDLen) {
		return View{}, waybill.Errorf(waybill.ENOTFOUND, "Tracker not found.")
	}
	var v View
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		tr, err := tx.TrackerByExternalID(ctx, orgID, externalID)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, tr)
		return err
	})
	return v, err
}

// List returns a page of the organization's trackers, newest first, and
// how many match in all. An invalid filter gives EUNPROCESSABLE.
func (s *Service) List(ctx context.Context, orgID int64, f waybill.TrackerFilter) ([]View, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	q := s.Store.Read()
	list, total, err := q.Trackers(ctx, orgID, f)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	out := make([]View, 0, len(list))
	for _, tr := range list {
		t, err := q.Tracking(ctx, orgID, tr.TrackingID)
		if waybill.ErrorCode(err) == waybill.ENOTFOUND {
			continue // its tracking was deleted through /v4
		} else if err != nil {
			return nil, 0, err
		}
		out = append(out, View{Tracker: tr, Tracking: t, Status: waybill.TrackerStatus(tr, t, now)})
	}
	return out, total, nil
}

// Update changes what the Tracker API lets a business change after the
// create: contacts, delivery address, instructions, time windows, order
// attributes and value, packages, items, barcodes, locale, and the
// tracking number while the parcel has not been scanned. The tracking's
// order fields follow, and a status that changes is announced
// (tracker.status_changed), in one transaction. A cancelled tracker
// cannot change (EUNPROCESSABLE).
func (s *Service) Update(ctx context.Context, orgID int64, externalID string, in waybill.TrackerInput) (View, error) {
	if _, err := in.ValidateUpdate(s.now()); err != nil {
		return View{}, err
	}
	if !waybill.CleanLine(externalID, waybill.MaxTrackerIDLen) {
		return View{}, waybill.Errorf(waybill.ENOTFOUND, "Tracker not found.")
	}
	var v View
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		tr, err := tx.TrackerByExternalID(ctx, orgID, externalID)
		if err != nil {
			return err
		}
		if tr.Cancelled() {
			return fieldError("trackerExternalId", "The tracker is cancelled and cannot change.")
		}
		if in.TrackingID != nil && *in.TrackingID != tr.TrackingNumber {
			if _, err := s.Trackings.Renumber(ctx, orgID, tr.TrackingID, *in.TrackingID); waybill.ErrorCode(err) == waybill.EINVALID || waybill.ErrorCode(err) == waybill.ECONFLICT {
				return fieldError("trackingId", "trackingId cannot change: "+waybill.ErrorMessage(err))
			} else if err != nil {
				return err
			}
			tr.TrackingNumber = *in.TrackingID
		}
		applyFields(&tr, in)
		t, err := s.Trackings.Update(ctx, orgID, tr.TrackingID, tracking.UpdateInput{Fields: trackingFields(tr)})
		if err != nil {
			return err
		}
		if err := refreshStatus(ctx, tx, &tr); err != nil {
			return err
		}
		tr.UpdatedAt = s.now()
		if err := s.announce(ctx, tx, &tr, t); err != nil {
			return err
		}
		v = View{Tracker: tr, Tracking: t, Status: tr.Status}
		return nil
	})
	return v, err
}

// Cancel cancels a tracker: its status becomes ORDER_CANCELLED (announced),
// and its tracking is no longer polled. Cancelling twice gives
// EUNPROCESSABLE with reason ReasonAlreadyCancelled.
func (s *Service) Cancel(ctx context.Context, orgID int64, externalID string) (View, error) {
	if !waybill.CleanLine(externalID, waybill.MaxTrackerIDLen) {
		return View{}, waybill.Errorf(waybill.ENOTFOUND, "Tracker not found.")
	}
	var v View
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		tr, err := tx.TrackerByExternalID(ctx, orgID, externalID)
		if err != nil {
			return err
		}
		if tr.Cancelled() {
			return &waybill.Error{Code: waybill.EUNPROCESSABLE, Reason: ReasonAlreadyCancelled, Message: "The tracker is already cancelled."}
		}
		t, err := s.Trackings.Stop(ctx, orgID, tr.TrackingID)
		if err != nil {
			return err
		}
		if err := refreshStatus(ctx, tx, &tr); err != nil {
			return err
		}
		tr.CancelledAt = s.now()
		tr.UpdatedAt = tr.CancelledAt
		if err := s.announce(ctx, tx, &tr, t); err != nil {
			return err
		}
		v = View{Tracker: tr, Tracking: t, Status: tr.Status}
		return nil
	})
	return v, err
}

// refreshStatus re-reads the status last announced: the tracking change
// just made holds the tracking's row, so a poll that changed the status
// meanwhile has committed, and its announcement is not repeated.
func refreshStatus(ctx context.Context, tx *store.Tx, tr *waybill.Tracker) error {
	fresh, err := tx.TrackerByExternalID(ctx, tr.OrgID, tr.ExternalID)
	if err != nil {
		return err
	}
	tr.Status = fresh.Status
	return nil
}

// ReasonAlreadyCancelled refines the EUNPROCESSABLE of cancelling a
// cancelled tracker.
const ReasonAlreadyCancelled = "already_cancelled"

// announce stores tr with its status at now and, when the status changed,
// writes a tracker.status_changed event in tx.
func (s *Service) announce(ctx context.Context, tx *store.Tx, tr *waybill.Tracker, t waybill.Tracking) error {
	prev := tr.Status
	tr.Status = waybill.TrackerStatus(*tr, t, s.now())
	if err := tx.UpdateTracker(ctx, tr); err != nil {
		return err
	}
	if tr.Status == prev || s.Webhooks == nil {
		return nil
	}
	ev, err := statusEvent(ctx, tx, *tr, t, prev, s.now())
	if err != nil {
		return err
	}
	return s.Webhooks.Dispatch(ctx, tx, ev)
}

// statusEvent is the tracker.status_changed event of a change from prev to
// tr.Status.
func statusEvent(ctx context.Context, tx *store.Tx, tr waybill.Tracker, t waybill.Tracking, prev string, now time.Time) (waybill.Event, error) {
	org, err := tx.OrgByID(ctx, tr.OrgID)
	if err != nil {
		return waybill.Event{}, err
	}
	detail, err := json.Marshal(waybill.TrackerChange{Tracker: tr, Brand: org.Name, PreviousStatus: prev, Status: tr.Status})
	if err != nil {
		return waybill.Event{}, fmt.Errorf("encode tracker change: %w", err)
	}
	snap := t
	return waybill.Event{OrgID: tr.OrgID, Type: waybill.EventTrackerStatusChanged, TrackingID: t.ID, Tag: t.Tag,
		Tracking: &snap, Detail: string(detail), CreatedAt: now}, nil
}
