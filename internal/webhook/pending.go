package webhook

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// pendingBatch bounds the trackings one sweep announces per endpoint; the
// next sweep takes the rest.
const pendingBatch = 500

// SweepPendingTime sends tracking_pending_time to every enabled endpoint
// that subscribes to it, for each active tracking of its organization
// still Pending at least the endpoint's PendingHours after it was created
// (AfterShip's pending time: now − created_at). Each endpoint hears about
// a tracking once, whatever happens to the tracking later; the record of
// it, the event and its delivery commit in one transaction. It returns how
// many events it wrote, and is the handler of the periodic job.
func (s *Service) SweepPendingTime(ctx context.Context) (int, error) {
	endpoints, err := s.Store.Read().PendingTimeEndpoints(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ep := range endpoints {
		now := s.now()
		due, err := s.Store.Read().PendingSince(ctx, ep.OrgID, ep.Seq, now.Add(-time.Duration(ep.Hours)*time.Hour), pendingBatch)
		if err != nil {
			return n, err
		}
		for _, p := range due {
			sent, err := s.announcePending(ctx, ep, p)
			if err != nil {
				return n, err
			}
			if sent {
				n++
			}
		}
	}
	return n, nil
}

// announcePending writes one endpoint's tracking_pending_time for one
// tracking, unless the tracking left Pending since it was listed or the
// endpoint was already told.
func (s *Service) announcePending(ctx context.Context, ep store.PendingTimeEndpoint, p store.PendingTracking) (bool, error) {
	sent := false
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		t, err := tx.Tracking(ctx, ep.OrgID, p.ID)
		if waybill.ErrorCode(err) == waybill.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if t.Tag != waybill.TagPending || !t.Active {
			return nil
		}
		now := s.now()
		first, err := tx.MarkPendingTimeSent(ctx, ep.OrgID, ep.Seq, p.Seq, now)
		if err != nil || !first {
			return err
		}
		snapshot := t
		sent = true
		return s.Dispatch(ctx, tx, waybill.Event{OrgID: ep.OrgID, Type: waybill.EventTrackingPendingTime, TrackingID: t.ID,
			Tag: t.Tag, Tracking: &snapshot, CreatedAt: now, EndpointID: ep.ID})
	})
	return sent && err == nil, err
}
