package tracking

import (
	"context"
	"slices"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// Update applies the present fields to the organization's tracking.
// Validation happens before anything is written.
func (s *Service) Update(ctx context.Context, orgID int64, id string, in UpdateInput) (waybill.Tracking, error) {
	if err := in.Validate(); err != nil {
		return waybill.Tracking{}, err
	}
	var newCourier *courier.Courier
	if slug := strings.ToLower(strings.TrimSpace(in.Slug)); slug != "" {
		c, ok := courier.Lookup(slug)
		if !ok {
			return waybill.Tracking{}, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of slug is invalid.")
		}
		newCourier = &c
	}
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		in.Fields.Apply(t)
		if newCourier != nil && newCourier.Slug != t.Slug {
			if err := checkRequiredFields(*newCourier, t.CourierFields); err != nil {
				return err
			}
			t.Slug = newCourier.Slug
		}
		return nil
	}, nil)
}

// Retrack restarts following an inactive tracking. AfterShip allows it once,
// and only on an inactive tracking.
func (s *Service) Retrack(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		if t.Active {
			return waybill.Invalid(waybill.ReasonRetrackActive, "Retrack is not allowed. You can only retrack an inactive tracking.")
		}
		if t.RetrackCount >= 1 {
			return waybill.Invalid(waybill.ReasonRetrackOnce, "Retrack is not allowed. You can only retrack each shipment once.")
		}
		t.Active = true
		t.RetrackCount++
		t.NextPollAt = s.now()
		t.LastUpdatedAt = t.NextPollAt // a fresh start: expiry counts from the retrack
		t.CompletedReason = ""
		if t.Tag == waybill.TagExpired {
			t.Tag, t.Subtag = waybill.TagPending, waybill.DefaultSubtag(waybill.TagPending)
		}
		return nil
	}, func(tx *store.Tx, t *waybill.Tracking) error {
		return s.enqueuePoll(ctx, tx, orgID, t.ID, t.NextPollAt, queue.PriorityUpdate)
	})
}

// MarkCompleted ends a tracking with a reason: DELIVERED, LOST or
// RETURNED_TO_SENDER. It becomes inactive and is no longer polled.
func (s *Service) MarkCompleted(ctx context.Context, orgID int64, id, reason string) (waybill.Tracking, error) {
	if !slices.Contains(waybill.CompletedReasons, reason) {
		return waybill.Tracking{}, waybill.Invalid(waybill.ReasonFieldInvalid, "reason must be one of DELIVERED, LOST, RETURNED_TO_SENDER.")
	}
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		t.Active = false
		t.CompletedReason = reason
		switch reason {
		case "DELIVERED":
			t.Tag, t.Subtag = waybill.TagDelivered, "Delivered_001"
		case "LOST":
			t.Tag, t.Subtag = waybill.TagException, "Exception_013"
		case "RETURNED_TO_SENDER":
			t.Tag, t.Subtag = waybill.TagException, "Exception_011"
			t.ReturnToSender = true
		}
		return nil
	}, nil)
}

// AddNotifications adds recipients to a tracking; ones already present are
// kept once.
func (s *Service) AddNotifications(ctx context.Context, orgID int64, id string, n Notifications) (waybill.Tracking, error) {
	if err := n.Validate(); err != nil {
		return waybill.Tracking{}, err
	}
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		t.Emails = union(t.Emails, n.Emails)
		t.Smses = union(t.Smses, n.Smses)
		if len(t.Emails) > 10 || len(t.Smses) > 10 {
			return fieldInvalid("A tracking has at most 10 emails and 10 smses.")
		}
		return nil
	}, nil)
}

// RemoveNotifications removes recipients from a tracking.
func (s *Service) RemoveNotifications(ctx context.Context, orgID int64, id string, n Notifications) (waybill.Tracking, error) {
	return s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		t.Emails = slices.DeleteFunc(t.Emails, func(e string) bool { return slices.Contains(n.Emails, e) })
		t.Smses = slices.DeleteFunc(t.Smses, func(e string) bool { return slices.Contains(n.Smses, e) })
		return nil
	}, nil)
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
