package webhook

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/claimloop"
	"github.com/waybillhq/waybill/internal/store"
)

// FirstAttempts makes the first attempts of the deliveries a Service with
// ClaimFirstAttempts made: it claims due deliveries from the deliveries
// table, a batch per statement that also reads them with their events and
// endpoints (store.ClaimAndReadDueDeliveries), and attempts each with
// Deliverer.Deliver's rules and group-committed records.
// A delivery is claimed for Lease; its record ends the claim, so a
// claim whose process died is taken up again after the lease, and an
// attempt is bounded well within it, so that two processes never make the
// same attempt at once. Retries remain jobs of the queue.
type FirstAttempts struct {
	Deliverer *Deliverer
	// Workers bounds the attempts under way at once; 1 when < 1.
	Workers int
	// Poll is the wait between claims when none was due; 25 ms when 0.
	Poll time.Duration
	// IdlePoll is the longest wait between claims while claims in a row
	// find nothing (claimloop.Loop.IdlePoll: the wait doubles from Poll);
	// idleClaimPoll when 0. Deliveries this process makes claimable wake
	// the loop at once (wake.go), so a first attempt it did not hand off
	// waits no longer; those another instance commits, or deferred ones
	// falling due, wait up to IdlePoll for their claim rather than Poll.
	IdlePoll time.Duration
	// Lease is how long a claimed delivery is withheld from other claims
	// (WAYBILL_CLAIM_LEASE); claimLease when 0. Under a shorter lease the
	// attempt is bounded by half of it and cancelled at five sixths.
	Lease time.Duration
	// ReleaseAtStart makes Run first release every claim left within a
	// lease (store.ReleaseDeliveryClaims), for a process that alone works
	// its database (SQLite): what its predecessor claimed and did not
	// record is then attempted at once, as the queue makes its running
	// jobs available again at start-up, rather than when the lease ends.
	// Never set it where another process may claim meanwhile: it would
	// release that process's claims.
	ReleaseAtStart bool
	Logger         *slog.Logger

	loop claimloop.Loop[batchDelivery]
	// The hand-off (handoff.go): while handOpen, the Service's new
	// deliveries are attempted under handWork, up to Workers at once
	// (handSlots); handing counts those under way.
	handMu    sync.Mutex
	handOpen  bool
	handSlots chan struct{}
	handWork  context.Context
	handing   sync.WaitGroup
	// failed counts, by delivery, the attempts in a row this process could
	// not make (their record failed), for failedBackoff.
	failed claimloop.Failures[int64]
	// claimed, when set (tests: export_test.go), is called after each
	// claim has returned.
	claimed func()
}

const (
	// claimLease is how long a claimed delivery is withheld from other
	// claims: longer than an attempt can last. Its read (readTimeout,
	// 30 s) and its sending end within attemptTimeout of its start, and
	// its record within commitTimeout (30 s) after that: 75 s in all. It
	// is also the queue's wait for a job left running by a dead process.
	claimLease = 90 * time.Second
	// attemptTimeout bounds a claimed attempt up to its record.
	attemptTimeout = 45 * time.Second
	// claimBatch bounds one claim.
	claimBatch = 500
	// idleClaimPoll is the longest wait between claims that find nothing:
	// reached after four (25, 50, 100, 200 ms), it takes idle claims from
	// 40 to 5 a second, and adds at most 175 ms to the first attempt of a
	// delivery no wake announces (another instance's, or a deferred one),
	// beside the seconds of a snoozed attempt's wait or the 5 s of a
	// failed one's.
	idleClaimPoll = 200 * time.Millisecond
	// retryClaimAfter is when an attempt that failed to run (the database
	// refused its record, or its payload did not render) is
	// claimable again, doubled at each failure in a row up to
	// maxRetryClaimAfter (failedBackoff).
	retryClaimAfter    = 5 * time.Second
	maxRetryClaimAfter = time.Hour
)

// errSnoozed is returned by an attempt whose endpoint stayed at its limit.
type errSnoozed struct{ wait time.Duration }

func (e errSnoozed) Error() string { return "endpoint at its limit" }

// Run claims and starts attempts until claims ends; the attempts run
// under work (whose end cancels them) and go on after Run returns: Wait
// waits for them.
func (f *FirstAttempts) Run(claims, work context.Context) {
	f.loop.Workers, f.loop.Batch, f.loop.Poll, f.loop.Logger, f.loop.What = f.Workers, claimBatch, f.Poll, f.Logger, "claim webhook deliveries"
	f.loop.IdlePoll, f.loop.Wake = cmp.Or(f.IdlePoll, idleClaimPoll), f.Deliverer.Service.claimWake.C()
	lease := f.lease()
	f.loop.Lease = lease
	f.loop.Claim = func(ctx context.Context, n int) ([]batchDelivery, time.Time, error) {
		now := f.Deliverer.Service.now()
		dels, err := f.Deliverer.store().Write().ClaimAndReadDueDeliveries(ctx, now, lease, n)
		if f.claimed != nil {
			f.claimed()
		}
		return inBatch(dels), now.Add(lease), err
	}
	f.loop.Work = f.attempt
	if f.ReleaseAtStart {
		// Before the hand-off opens, so that no claim of this process's
		// own is released.
		if _, err := f.Deliverer.store().Write().ReleaseDeliveryClaims(claims, f.Deliverer.Service.now(), lease); err != nil && f.Logger != nil {
			f.Logger.Warn("release webhook delivery claims", "err", err)
		}
	}
	f.openHandoff(work)
	defer f.closeHandoff()
	f.loop.Run(claims, work)
}

// lease is f.Lease, claimLease when 0 or longer.
func (f *FirstAttempts) lease() time.Duration { return claimloop.Lease(f.Lease, claimLease) }

// Wait waits for the attempts under way, claimed or handed off, or for
// ctx. Call it once Run has returned.
func (f *FirstAttempts) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { f.handing.Wait(); close(done) }()
	if err := f.loop.Wait(ctx); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt makes a claimed delivery's first attempt under the claim that
// ends at claimedUntil. An attempt snoozed or cut short before its record
// is made claimable again later: a snoozed one when its endpoint has room,
// one that failed to run after failedBackoff.
func (f *FirstAttempts) attempt(work context.Context, b batchDelivery, claimedUntil time.Time) {
	del := b.del
	ctx, cancel := context.WithTimeout(work, min(attemptTimeout, f.lease()/2))
	defer cancel()
	k := store.DeliveryKey{OrgID: del.OrgID, ID: del.ID}
	err := f.Deliverer.deliverRead(ctx, del, b.bodies, 1, func(wait time.Duration) error { return errSnoozed{wait} })
	var s errSnoozed
	var again time.Duration
	switch {
	case err == nil:
		f.failedBackoff(k.ID, false)
		return
	case errors.As(err, &s):
		again = s.wait
	default:
		again = f.failedBackoff(k.ID, true)
		if f.Logger != nil {
			f.Logger.Warn("webhook attempt not made", "org", k.OrgID, "delivery", k.ID, "err", err, "claimable_again_in", again)
		}
	}
	// The claim's lease ends it anyway if this fails too.
	deferCtx, cancelDefer := context.WithTimeout(context.WithoutCancel(work), commitTimeout)
	defer cancelDefer()
	if err := f.Deliverer.store().Write().DeferClaim(deferCtx, k, claimedUntil, f.Deliverer.Service.now().Add(again)); err != nil && f.Logger != nil {
		f.Logger.Warn("defer webhook delivery", "delivery", k.ID, "err", err)
	}
}

// failedBackoff records whether delivery id's attempt failed to run and
// returns, for a failure, when its claim should be tried again:
// retryClaimAfter doubled at each failure in a row, at most
// maxRetryClaimAfter, so a delivery whose attempt cannot be made (an event
// that no longer renders, a database refusing its record) costs a few tries
// an hour rather than one every few seconds. Counts are this process's:
// another process starts again from retryClaimAfter.
func (f *FirstAttempts) failedBackoff(id int64, failed bool) time.Duration {
	return f.failed.Record(id, failed, retryClaimAfter, maxRetryClaimAfter)
}
