package tracking

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/store"
)

// Dispatcher turns events into webhook deliveries inside a transaction.
type Dispatcher interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

// DefaultExpireAfter is how long a tracking may go without news before it
// becomes Expired, as on AfterShip.
const DefaultExpireAfter = 30 * 24 * time.Hour

func (s *Service) expireAfter() time.Duration {
	if s.ExpireAfter > 0 {
		return s.ExpireAfter
	}
	return DefaultExpireAfter
}

// apply merges incoming checkpoints into t, recomputes its status, stores
// it, and writes the events the change causes together with their webhook
// deliveries, all in tx. Checkpoints already stored are ignored, and the
// result does not depend on the order in which checkpoints arrive.
func (s *Service) apply(ctx context.Context, tx *store.Tx, t *waybill.Tracking, incoming []waybill.Checkpoint, fetched carrier.FetchResult, now time.Time) (int, []waybill.Event, error) {
	before := *t
	merged, added := carrier.MergeCheckpoints(t.Checkpoints, incoming)
	t.Checkpoints = merged
	if fetched.ExpectedDelivery != "" {
		t.ExpectedDelivery = fetched.ExpectedDelivery
	}
	if len(added) > 0 {
		t.LastUpdatedAt = now
	}
	d := carrier.Derive(*t, merged, now, s.expireAfter())
	if fetched.Expired && !d.Tag.Terminal() {
		d.Tag, d.Subtag, d.Active = waybill.TagExpired, waybill.DefaultSubtag(waybill.TagExpired), false
	}
	d.Apply(t)
	t.UpdatedAt = now
	if err := tx.UpdateTracking(ctx, t); err != nil {
		return 0, nil, err
	}
	events := eventsFor(before, *t, now)
	if len(events) > 0 && s.Dispatcher != nil {
		if err := s.Dispatcher.Dispatch(ctx, tx, events...); err != nil {
			return 0, nil, err
		}
	}
	return len(added), events, nil
}

// eventsFor returns the events of a change, each with a snapshot of the
// tracking as it is after the change.
func eventsFor(before, after waybill.Tracking, now time.Time) []waybill.Event {
	var events []waybill.Event
	for _, c := range carrier.Changes(before, after) {
		snapshot := after
		events = append(events, waybill.Event{
			OrgID: after.OrgID, Type: c.Type, TrackingID: after.ID, Tag: after.Tag, FirstTag: c.IsFirstTag,
			Tracking: &snapshot, CreatedAt: now,
		})
	}
	return events
}
