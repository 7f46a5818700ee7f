package webhook

import (
	"context"
	"math/rand/v2"
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

// An attempt's record is written with those of the attempts finishing at
// about the same time, in one transaction of the store's GroupCommitter
// (Deliverer.GroupCommit): the records are items of one BatchedWrite
// (recordWrite), so the transaction writes them all with ClearFailing's
// statement and FinishAttempts' (one on PostgreSQL, two on SQLite) and one
// fsync (SQLite) or WAL flush (PostgreSQL). A success, the common case, is an item with no function
// of its own (store.Write: no savepoint, no statement before the batch's);
// a failure first books the endpoint's failure and the next attempt in a
// function of its own (failure), then adds its record. On SQLite that
// transaction is shared with the pushes and creates of the moment, so the
// records take their turn on the one writer connection with them.
//
// A worker returns, and its job completes, only once its record is
// committed, so a crash before the commit leaves the job to run again.

// commitTimeout bounds the wait for an attempt's record. The record is
// written whatever happens to the job's context meanwhile.
const commitTimeout = 30 * time.Second

// recordWrite is the BatchedWrite of attempt records; see record.
func (d *Deliverer) recordWrite() *store.BatchedWrite[attemptItem] {
	d.recordOnce.Do(func() { d.recordW.Write = writeRecords })
	return &d.recordW
}

// attemptItem is an attempt's record and what it does to its endpoint's
// failing mark.
type attemptItem struct {
	rec  store.AttemptRecord
	key  store.EndpointKey
	mark int // markClear (a success), markFailed (a failure), or 0
}

const (
	markClear  = 1
	markFailed = -1
)

// writeRecords writes the records of a transaction's attempts, in the
// order they were queued: it clears the failing mark of each endpoint
// whose last attempt among them succeeded (a failure's own function has
// already set its endpoint's mark, see failure), then writes the attempts
// and their deliveries.
func writeRecords(ctx context.Context, tx *store.Tx, items []attemptItem) error {
	recs := make([]store.AttemptRecord, len(items))
	last := map[store.EndpointKey]int{}
	var keys []store.EndpointKey
	for i, it := range items {
		recs[i] = it.rec
		if it.mark == 0 {
			continue
		}
		if _, seen := last[it.key]; !seen {
			keys = append(keys, it.key)
		}
		last[it.key] = it.mark
	}
	var clear []store.EndpointKey
	at := time.Time{}
	for _, k := range keys {
		if last[k] == markClear {
			clear = append(clear, k)
		}
	}
	for _, it := range items {
		if it.mark == markClear && it.rec.Attempt.CreatedAt.After(at) {
			at = it.rec.Attempt.CreatedAt
		}
	}
	if err := tx.ClearFailing(ctx, clear, at); err != nil {
		return err
	}
	return tx.FinishAttempts(ctx, recs)
}

// record writes f's record and sets f.outcome, f.next and f.err, as if
// the attempts of its transaction had one transaction each, in the order
// they were queued: a success clears its endpoint's failing mark; a
// failure marks it, schedules the next attempt or gives up, and may
// disable the endpoint (see failure).
func (d *Deliverer) record(ctx context.Context, f *finishedAttempt) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	key := store.EndpointKey{OrgID: f.del.OrgID, Seq: f.del.EndpointSeq}
	item := func(status string, mark int) attemptItem {
		return attemptItem{key: key, mark: mark,
			rec: store.AttemptRecord{OrgID: f.del.OrgID, DeliveryID: f.del.ID, Attempt: f.record(), Status: status, NextAt: f.next}}
	}
	switch {
	case f.skipped:
		f.outcome = "skipped"
		f.err = d.write(ctx, item(store.DeliveryFailed, 0))
	case f.res.Outcome == OutcomeSuccess:
		f.outcome = "success"
		f.err = d.write(ctx, item(store.DeliverySucceeded, markClear))
	default:
		f.err = d.inTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			f.outcome, f.next = "", time.Time{}
			status, err := d.failure(ctx, tx, f)
			if err != nil || f.outcome == "" {
				return err // "": the endpoint is gone, and its deliveries with it
			}
			return d.recordWrite().Add(ctx, tx, item(status, markFailed))
		})
	}
}

// write commits one record with the others of its transaction.
func (d *Deliverer) write(ctx context.Context, it attemptItem) error {
	if d.GroupCommit != nil {
		return store.Write(ctx, d.GroupCommit, d.recordWrite(), it)
	}
	return d.store().InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return d.recordWrite().Add(ctx, tx, it) })
}

// inTx runs fn in a transaction of the group committer when there is one,
// else in one of its own (Store.InTx's contract either way).
func (d *Deliverer) inTx(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) error) error {
	if d.GroupCommit != nil {
		return d.GroupCommit.InTx(ctx, fn)
	}
	return d.store().InTx(ctx, fn)
}

// clearedBefore reports whether the last attempt to key queued before
// this point of ctx's transaction, and not yet written, succeeded: its
// endpoint is then no longer failing, whatever the stored mark says.
func (d *Deliverer) clearedBefore(ctx context.Context, key store.EndpointKey) bool {
	mark := 0
	for _, it := range d.recordWrite().Queued(ctx) {
		if it.key == key && it.mark != 0 {
			mark = it.mark
		}
	}
	return mark == markClear
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
	if d.clearedBefore(ctx, store.EndpointKey{OrgID: f.del.OrgID, Seq: f.del.EndpointSeq}) {
		ep.FailingSince = time.Time{} // a success before this failure, in this transaction
	}
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
