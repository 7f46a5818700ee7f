package tracking

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Dispatcher turns events into webhook deliveries inside a transaction.
type Dispatcher interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

func (s *Service) expireAfter() time.Duration {
	if s.ExpireAfter > 0 {
		return s.ExpireAfter
	}
	return waybill.DefaultExpireAfter
}

// apply advances t with news (waybill.Tracking.Advance: merge, derive,
// events), stores it, and writes the events the change causes together
// with their webhook deliveries, all in tx. It returns how many
// checkpoints were new and the events.
func (s *Service) apply(ctx context.Context, tx *store.Tx, t *waybill.Tracking, news waybill.News, now time.Time) (int, []waybill.Event, error) {
	return s.applyWrite(ctx, tx, t, news, now, func(t *waybill.Tracking) error { return tx.UpdateTracking(ctx, t) })
}

// applyWrite is apply that stores the advanced t with write (a poll's
// also schedules the next poll, in the same statement).
func (s *Service) applyWrite(ctx context.Context, tx *store.Tx, t *waybill.Tracking, news waybill.News, now time.Time, write func(t *waybill.Tracking) error) (int, []waybill.Event, error) {
	added, events := t.Advance(news, now, s.expireAfter())
	if err := write(t); err != nil {
		return 0, nil, err
	}
	if len(events) > 0 && s.Dispatcher != nil {
		if err := s.Dispatcher.Dispatch(ctx, tx, events...); err != nil {
			return 0, nil, err
		}
	}
	return added, events, nil
}
