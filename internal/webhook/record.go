package webhook

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// finishedAttempt is an attempt whose outcome waits to be recorded. The
// fields below the line are set by the commit that records it.
type finishedAttempt struct {
	del     store.Delivery
	attempt int
	res     Result
	skipped bool      // not sent: the endpoint is disabled
	now     time.Time // when the attempt ended

	lead chan struct{} // closed when this attempt is to lead the next commit
	done chan struct{} // closed once err is final
	// ---
	outcome string    // "success", "retry", "gone", "failed" or "skipped"; "" when the endpoint is gone
	next    time.Time // the next attempt, when outcome is "retry"
	err     error     // nil once the record is committed
}

func (f *finishedAttempt) record() waybill.DeliveryAttempt {
	a := waybill.DeliveryAttempt{Attempt: f.attempt, Outcome: f.outcome, StatusCode: f.res.StatusCode, Latency: f.res.Latency,
		ResponseExcerpt: f.res.ResponseExcerpt, CreatedAt: f.now}
	if f.res.Err != nil {
		a.Error = f.res.Err.Error()
	}
	if f.skipped {
		a.Error = "endpoint disabled: " + f.del.Endpoint.DisabledReason
	}
	return a
}

// maxGroup bounds the attempts recorded by one transaction.
const maxGroup = 512

// groupCommit records attempts that finish at about the same time with one
// write: two statements for all of them (FinishAttempts), in one
// transaction, with one fsync (SQLite) or WAL flush (PostgreSQL) for all.
// On SQLite that transaction is itself one item of the store's
// GroupCommitter (Deliverer.GroupCommit), so the attempts' records share
// the fsync of the pushes and creates of the moment and take their turn on
// the one writer connection with them, rather than racing each of them for
// it.
// The first attempt to arrive leads: it commits every attempt waiting then,
// its own included, while the attempts arriving meanwhile queue for the
// next commit, which the first of them leads. So a commit never waits for
// company, and under load each commit carries what arrived during the one
// before. It has no goroutine of its own: the zero value is ready, and
// nothing needs stopping.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*finishedAttempt
	leading bool
}

// submit returns once f is recorded, or its record failed (f.err): its
// worker completes the job only after that, so a crash before the commit
// leaves the job to run again. ctx is not a way out of the wait: the
// record is written whatever happens to the job, and the wait is bounded
// by the commit's own timeout.
func (g *groupCommit) submit(ctx context.Context, f *finishedAttempt, commit func(context.Context, []*finishedAttempt)) {
	f.lead, f.done = make(chan struct{}), make(chan struct{})
	g.mu.Lock()
	g.queue = append(g.queue, f)
	if g.leading {
		g.mu.Unlock()
		select {
		case <-f.done:
			return
		case <-f.lead: // f is first in the queue, and leads now
		}
		g.mu.Lock()
	}
	g.leading = true
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = append([]*finishedAttempt(nil), g.queue[n:]...)
	g.mu.Unlock()

	commit(ctx, batch)
	for _, b := range batch {
		close(b.done)
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
}

// commitTimeout bounds one group's transaction.
const commitTimeout = 30 * time.Second

// recordBatch records a group of attempts in one transaction. When that
// fails, each is recorded in its own, so that one attempt the database
// refuses fails only its own job.
func (d *Deliverer) recordBatch(ctx context.Context, batch []*finishedAttempt) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	err := d.writeTx(ctx, func(ctx context.Context, tx *store.Tx) error { return d.recordIn(ctx, tx, batch) })
	if err == nil || len(batch) == 1 {
		for _, f := range batch {
			f.err = err
		}
		return
	}
	for _, f := range batch {
		f.err = d.writeTx(ctx, func(ctx context.Context, tx *store.Tx) error { return d.recordIn(ctx, tx, []*finishedAttempt{f}) })
	}
}

// writeTx runs fn in the transaction of the group committer when there is
// one (SQLite), shared with the pushes and creates committing meanwhile,
// else in a transaction of its own (Store.InTx's contract either way).
func (d *Deliverer) writeTx(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) error) error {
	if d.GroupCommit != nil {
		return d.GroupCommit.InTx(ctx, fn)
	}
	return d.Service.Store.InTx(ctx, fn)
}

// recordIn writes the attempts of batch in tx, in order, as if each had
// its own transaction: a success clears its endpoint's failing mark; a
// failure marks it, schedules the next attempt or gives up, and may
// disable the endpoint (see failure). Successes, the common case, cost no
// read: the attempts and deliveries are written with two statements and
// the endpoints' marks with one.
func (d *Deliverer) recordIn(ctx context.Context, tx *store.Tx, batch []*finishedAttempt) error {
	recs := make([]store.AttemptRecord, 0, len(batch))
	var clear []store.EndpointKey
	toClear := map[store.EndpointKey]bool{}
	for _, f := range batch {
		f.outcome, f.next = "", time.Time{}
		key := store.EndpointKey{OrgID: f.del.OrgID, Seq: f.del.EndpointSeq}
		status := store.DeliveryFailed
		switch {
		case f.skipped:
			f.outcome = "skipped"
		case f.res.Outcome == OutcomeSuccess:
			f.outcome, status = "success", store.DeliverySucceeded
			if !toClear[key] {
				toClear[key] = true
				clear = append(clear, key)
			}
		default:
			if toClear[key] {
				// A success earlier in this group cleared the mark before
				// this failure, as separate transactions would have.
				if err := tx.ClearFailing(ctx, []store.EndpointKey{key}, f.now); err != nil {
					return err
				}
				delete(toClear, key)
			}
			var err error
			if status, err = d.failure(ctx, tx, f); err != nil {
				return err
			}
			if f.outcome == "" {
				continue // the endpoint is gone, and its deliveries with it
			}
		}
		recs = append(recs, store.AttemptRecord{OrgID: f.del.OrgID, DeliveryID: f.del.ID, Attempt: f.record(), Status: status, NextAt: f.next})
	}
	var still []store.EndpointKey
	for _, k := range clear {
		if toClear[k] {
			still = append(still, k)
		}
	}
	if err := tx.ClearFailing(ctx, still, d.Service.now()); err != nil {
		return err
	}
	return tx.FinishAttempts(ctx, recs)
}

// failure books an attempt that did not succeed and returns the
// delivery's new state: the endpoint is marked failing (from its first
// failure on), disabled after a 410 or five days of failure, and
// otherwise the next attempt is scheduled until the schedule runs out.
func (d *Deliverer) failure(ctx context.Context, tx *store.Tx, f *finishedAttempt) (string, error) {
	// Locked: the endpoint is written back below, and must not undo a
	// rotation or an update that commits meanwhile.
	ep, err := tx.EndpointForUpdate(ctx, f.del.OrgID, f.del.Endpoint.ID)
	if err != nil {
		return "", ignoreNotFound(err)
	}
	now := f.now
	if f.res.Outcome == OutcomeGone {
		f.outcome = "gone"
		return store.DeliveryFailed, d.disable(ctx, tx, &ep, "the endpoint answered 410 Gone", now)
	}
	f.outcome = "retry"
	if ep.FailingSince.IsZero() {
		ep.FailingSince, ep.UpdatedAt = now, now
		if err := tx.UpdateEndpoint(ctx, &ep); err != nil {
			return "", err
		}
	}
	if ShouldDisable(ep.FailingSince, now) {
		f.outcome = "failed"
		return store.DeliveryFailed, d.disable(ctx, tx, &ep, "deliveries failed for 5 days", now)
	}
	delay, ok := NextAttempt(d.schedule(), f.attempt, f.res.RetryAfter, rand.Float64)
	if !ok {
		f.outcome = "failed"
		return store.DeliveryFailed, nil
	}
	f.next = now.Add(delay)
	return store.DeliveryPending, d.Service.Queue.EnqueueDelivery(ctx, tx.SQL(), f.del.OrgID, f.del.ID, f.attempt+1, f.next)
}
