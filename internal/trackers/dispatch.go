package trackers

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Dispatcher returns the event writer the tracking service dispatches its
// events through, in the transaction of each change:
//
//   - webhooks hears every event, as before;
//   - a tracking_update of a tracker's tracking re-derives the tracker's
//     status and, when it changed, stores it and sends webhooks a
//     tracker.status_changed event;
//   - notifier hears every event except a tracking_update of a grouped
//     tracker whose status (tag) the group has already announced, so a
//     group's customer is told each status once.
//
// notifier may be nil (no notifications).
func (s *Service) Dispatcher(webhooks, notifier EventWriter) EventWriter {
	return link{s: s, webhooks: webhooks, notifier: notifier}
}

type link struct {
	s                  *Service
	webhooks, notifier EventWriter
}

func (l link) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	if err := l.webhooks.Dispatch(ctx, tx, events...); err != nil {
		return err
	}
	notify := make([]waybill.Event, 0, len(events))
	var changes []waybill.Event
	for _, e := range events {
		if e.Type != waybill.EventTrackingUpdate || e.Tracking == nil {
			notify = append(notify, e)
			continue
		}
		tr, err := tx.TrackerByTrackingID(ctx, e.OrgID, e.TrackingID)
		if waybill.ErrorCode(err) == waybill.ENOTFOUND {
			notify = append(notify, e)
			continue
		} else if err != nil {
			return err
		}
		now := l.s.now()
		if status := waybill.TrackerStatus(tr, *e.Tracking, now); status != tr.Status {
			prev := tr.Status
			tr.Status, tr.UpdatedAt = status, now
			if err := tx.UpdateTracker(ctx, &tr); err != nil {
				return err
			}
			ev, err := statusEvent(ctx, tx, tr, *e.Tracking, prev, now)
			if err != nil {
				return err
			}
			changes = append(changes, ev)
		}
		if tr.GroupID != "" {
			first, err := tx.ClaimGroupNotice(ctx, e.OrgID, tr.GroupID, e.Tag, tr.ID, now)
			if err != nil {
				return err
			}
			if !first {
				continue
			}
		}
		notify = append(notify, e)
	}
	if len(changes) > 0 {
		if err := l.webhooks.Dispatch(ctx, tx, changes...); err != nil {
			return err
		}
	}
	if l.notifier == nil || len(notify) == 0 {
		return nil
	}
	return l.notifier.Dispatch(ctx, tx, notify...)
}
