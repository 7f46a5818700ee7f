package returns

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// expireBatch bounds one sweep.
const expireBatch = 500

// ExpireStale moves every approved return whose time to ship has run out
// (ExpiresAt, set on approval from the organization's ship_within_days)
// to expired, each in its own transaction with its event and email, and
// gives its quantities back. It returns how many it expired; the queue
// runs it periodically.
func (s *Service) ExpireStale(ctx context.Context) (int, error) {
	now := s.now()
	refs, err := s.Store.Read().ExpiringReturns(ctx, now, expireBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			r, seq, err := tx.Return(ctx, ref.OrgID, ref.ID, true)
			if err != nil {
				return err
			}
			// Shipped or changed since the list was read: nothing to do.
			if r.Status != waybill.ReturnApproved || r.ExpiresAt.IsZero() || r.ExpiresAt.After(now) {
				return nil
			}
			n++
			return s.apply(ctx, tx, seq, &r, waybill.ActionExpire, nil)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
