package queue

import (
	"context"
	"fmt"
	"time"
)

// Every job handler finishes (or is cancelled by River) within jobTimeout,
// River's JobTimeout, and its result is recorded a moment later. A job still
// "running" well past that was taken by a process that died. River's own
// stuck-job rescuer did not rescue these in our crash tests within minutes,
// so the queue makes them available again itself. Every instance runs the
// sweep; it is idempotent.
//
// orphanAfter is derived from jobTimeout so that a job still running on a
// live instance is never made available to another: jobTimeout covers the
// slowest handler, a carrier poll that may need an OAuth token and then the
// tracking call, each bounded by carrierhttp.DefaultTimeout (30 s), and
// cancels it through its context after that.
//
// Options.Lease (WAYBILL_CLAIM_LEASE) replaces orphanAfter; a shorter lease
// shrinks the job timeout with it, in the same proportion (leaseTimeouts),
// so that the guarantee holds at any lease.
const (
	jobTimeout    = 75 * time.Second
	orphanAfter   = jobTimeout + 15*time.Second
	orphanSweep   = 10 * time.Second
	sqliteTimeFmt = "2006-01-02 15:04:05.000" // riversqlite's stored time form
)

// DefaultLease is the wait for a job left running by a dead process when
// Options.Lease is 0, and the longest lease: the timeouts under it are
// the handlers' own.
const DefaultLease = orphanAfter

// leaseTimeouts returns the job timeout, the wait for an orphaned job and
// the sweep's period of lease (DefaultLease when 0 or longer): the job
// timeout is lease*5/6 (75 s of 90 s), so that a job still running on a
// live instance has been cancelled a sixth of the lease before another
// may take it.
func leaseTimeouts(lease time.Duration) (job, orphan, sweep time.Duration) {
	if lease <= 0 || lease >= DefaultLease {
		return jobTimeout, orphanAfter, orphanSweep
	}
	return lease * 5 / 6, lease, min(orphanSweep, max(lease/4, 100*time.Millisecond))
}

// recoverOrphans makes jobs running since before horizon available again
// and returns how many it recovered.
func (q *Queue) recoverOrphans(ctx context.Context, horizon time.Time) (int64, error) {
	var h, now any = horizon, time.Now()
	if q.engine == "sqlite" {
		h, now = horizon.UTC().Format(sqliteTimeFmt), time.Now().UTC().Format(sqliteTimeFmt)
	}
	res, err := q.db.ExecContext(ctx,
		`UPDATE river_job SET state = 'available', scheduled_at = $1 WHERE state = 'running' AND attempted_at < $2`, now, h)
	if err != nil {
		return 0, fmt.Errorf("recover interrupted jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 && q.logger != nil {
		q.logger.Info("made jobs interrupted by a crash available again", "jobs", n)
	}
	return n, nil
}

// sweepOrphans recovers interrupted jobs every q.orphanSweep until ctx ends.
func (q *Queue) sweepOrphans(ctx context.Context) {
	q.every(ctx, q.orphanSweep, "sweep interrupted jobs", func() error {
		_, err := q.recoverOrphans(ctx, time.Now().Add(-q.orphanAfter))
		return err
	})
}

// every runs do every period until ctx ends, logging its errors as what.
func (q *Queue) every(ctx context.Context, period time.Duration, what string, do func() error) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := do(); err != nil && ctx.Err() == nil && q.logger != nil {
				q.logger.Warn(what, "err", err)
			}
		}
	}
}
