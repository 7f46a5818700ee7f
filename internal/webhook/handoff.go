package webhook

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// The process that inserts a delivery makes its first attempt itself,
// straight after the commit, when a FirstAttempts runs in it and has a
// free worker: the pushing transaction inserts the deliveries already
// claimed (store.InsertClaimedDeliveries: due_at is the end of a lease
// from their insert, as a claim would set it), and the commit hands them,
// with the event and endpoints the push had in hand, to FirstAttempts'
// hand-off workers. That saves, per delivery, the claim's row version
// (an update of every index of deliveries) and, per batch, the claiming
// and reading statement, and the wait for the next claim (up to its 25 ms
// poll). The claim row still guards the attempt: no other process claims
// the delivery before the lease ends, and if this process dies first, any
// process claims it after, as with a claim of its own. Deliveries the
// workers cannot take at once are released (claimable at once, one
// statement), and those inserted while no FirstAttempts runs are inserted
// claimable, as before.

// handoffDeliveries inserts the deliveries of evs[i] to eps[i] claimed by
// this process and hands them to its FirstAttempts once tx commits. It
// reports false, having done nothing, when first attempts are not claimed
// (ClaimFirstAttempts), no FirstAttempts runs here, or none of its
// hand-off workers is free; the caller then inserts them as before. events and endpoints give each key's event (inserted, so its
// ID is set) and endpoint as tx read it.
func (s *Service) handoffDeliveries(ctx context.Context, tx *store.Tx, orgID int64, evs, eps []int64, now time.Time,
	events func(seq int64) *waybill.Event, endpoints map[int64]waybill.WebhookEndpoint) (bool, error) {
	f := s.handoff.Load()
	if !s.ClaimFirstAttempts || f == nil || !f.room() {
		return false, nil
	}
	until := now.Add(f.lease())
	rows, err := tx.InsertClaimedDeliveries(ctx, orgID, evs, eps, now, until)
	if err != nil {
		return true, err
	}
	stored := map[int64]waybill.Event{}
	dels := make([]store.Delivery, 0, len(rows))
	for _, r := range rows {
		ev, ok := stored[r.EventSeq]
		if !ok {
			if ev, err = store.StoredEvent(*events(r.EventSeq)); err != nil {
				return true, err
			}
			stored[r.EventSeq] = ev
		}
		dels = append(dels, store.Delivery{ID: r.ID, OrgID: orgID, Status: store.DeliveryPending, Event: ev, EventSeq: r.EventSeq,
			Endpoint: endpoints[r.EndpointSeq], EndpointSeq: r.EndpointSeq})
	}
	tx.AfterCommit(func() { f.handOff(dels, until) })
	return true, nil
}

// handsOff reports whether this process may hand its new deliveries to a
// FirstAttempts of its own (first attempts are claimed, and one runs
// here), so that a push builds what the hand-off needs only then.
func (s *Service) handsOff() bool { return s.ClaimFirstAttempts && s.handoff.Load() != nil }

// room reports whether a hand-off worker is free.
func (f *FirstAttempts) room() bool {
	f.handMu.Lock()
	defer f.handMu.Unlock()
	return f.handOpen && len(f.handSlots) < cap(f.handSlots)
}

// handOff starts the first attempt of each of dels, claimed until until,
// in a free hand-off worker, and releases those it has none for (or all,
// once Run has stopped) to any claimer. It does not block.
func (f *FirstAttempts) handOff(dels []store.Delivery, until time.Time) {
	var left []store.DeliveryKey
	f.handMu.Lock()
	for _, b := range inBatch(dels) {
		if f.handOpen {
			select {
			case f.handSlots <- struct{}{}:
				f.handing.Add(1)
				go f.handed(b, until)
				continue
			default:
			}
		}
		left = append(left, store.DeliveryKey{OrgID: b.del.OrgID, ID: b.del.ID})
	}
	f.handMu.Unlock()
	if len(left) > 0 {
		go f.release(left, until)
	}
}

// handed makes a handed-off delivery's first attempt, cancelled a sixth of
// the lease before the claim ends (as claimloop does for a claimed one),
// by the Service's clock.
func (f *FirstAttempts) handed(b batchDelivery, until time.Time) {
	defer func() { <-f.handSlots; f.handing.Done() }()
	ctx, cancel := context.WithTimeout(f.handWork, until.Add(-f.lease()/6).Sub(f.Deliverer.Service.now()))
	defer cancel()
	f.attempt(ctx, b, until)
}

// release makes deliveries this process claimed at their insert, and
// cannot attempt now, claimable at once. If that fails they are claimed
// again when the lease ends.
func (f *FirstAttempts) release(keys []store.DeliveryKey, until time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	release := func(ctx context.Context, q *store.Queries) error {
		return q.ReleaseClaims(ctx, keys, until, f.Deliverer.Service.now())
	}
	var err error
	if f.Deliverer.store().Engine() == store.SQLite {
		// In the group commit's next transaction, with the pushes and
		// records queued meanwhile: on its own, each release was a
		// synced commit of the one writer's (16 % of the server's CPU
		// at 3,000 deliveries/s offered, session 13).
		err = f.Deliverer.inTx(ctx, func(ctx context.Context, tx *store.Tx) error { return release(ctx, tx.Queries) })
	} else {
		err = release(ctx, f.Deliverer.store().Write())
	}
	if err != nil {
		if f.Logger != nil {
			f.Logger.Warn("release webhook deliveries", "deliveries", len(keys), "err", err)
		}
		return
	}
	f.Deliverer.Service.deliveriesClaimable()
}

// openHandoff makes f take the deliveries its Service inserts, attempted
// under work, until closeHandoff.
func (f *FirstAttempts) openHandoff(work context.Context) {
	f.handMu.Lock()
	f.handSlots = make(chan struct{}, max(f.Workers, 1))
	f.handWork, f.handOpen = work, true
	f.handMu.Unlock()
	f.Deliverer.Service.handoff.Store(f)
}

// closeHandoff stops the hand-off: deliveries inserted from now on are
// claimable, and those handed off hereafter are released.
func (f *FirstAttempts) closeHandoff() {
	f.Deliverer.Service.handoff.CompareAndSwap(f, nil)
	f.handMu.Lock()
	f.handOpen = false
	f.handMu.Unlock()
}

// HandsOff reports whether f takes the deliveries its Service inserts (Run
// has started and not ended).
func (f *FirstAttempts) HandsOff() bool {
	f.handMu.Lock()
	defer f.handMu.Unlock()
	return f.handOpen && f.Deliverer.Service.handoff.Load() == f
}
