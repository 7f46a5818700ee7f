package tracking

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// expireBatch bounds one sweep's work; the next sweep takes the rest.
const expireBatch = 500

// ExpireStale marks Expired every active tracking that has had no news for
// ExpireAfter, with its tracking_update events, and returns how many it
// expired. It is the handler of the periodic expiry job.
func (s *Service) ExpireStale(ctx context.Context) (int, error) {
	now := s.now()
	refs, err := s.Store.Read().StaleTrackings(ctx, now.Add(-s.expireAfter()), expireBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
			t, err := tx.TrackingForUpdate(ctx, ref.OrgID, ref.ID)
			if err != nil {
				return ignoreNotFound(err)
			}
			before := t.Tag
			if _, _, err := s.apply(ctx, tx, &t, waybill.News{}, now); err != nil {
				return err
			}
			if t.Tag != before {
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
