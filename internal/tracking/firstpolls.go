package tracking

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/waybillhq/waybill/internal/claimloop"
	"github.com/waybillhq/waybill/internal/store"
)

// FirstPolls makes the first polls of the trackings a Service with
// ClaimFirstPolls created: it claims due first polls from the trackings
// table, a batch per statement (store.ClaimFirstPolls), and polls each as
// the queue's poll job would (Poll), through the same carrier gates and
// budgets. A first poll is claimed for Lease; the poll's
// transaction ends the claim (store.EndFirstPoll), so a claim whose
// process died is taken up again after the lease, and a poll is bounded
// well within it (on SQLite, which one process works, Run releases its
// predecessor's claims at once); a claim taken again while its first
// poller still ran is applied by one of them only. A poll that must wait for its connection
// (the queue's snooze) is deferred to that time, one that failed to run
// (the store refused it) is retried later, doubling (failedBackoff). The
// polls after the first are jobs of the queue, as before.
type FirstPolls struct {
	Service *Service
	// Workers bounds the polls under way at once; 1 when < 1.
	Workers int
	// Poll is the wait between claims when none was due, unless a create
	// of this process wakes the loop sooner; 100 ms when 0.
	Poll time.Duration
	// Lease is how long a claimed first poll is withheld from other
	// claims (WAYBILL_CLAIM_LEASE); firstPollLease when 0 or longer. The
	// claim loop cancels a poll at five sixths of it. (On SQLite, Run
	// releases the claims of the longest lease, firstPollLease, whatever
	// lease its predecessor had.)
	Lease  time.Duration
	Logger *slog.Logger

	loop claimloop.Loop[store.FirstPollKey]
	// failed counts, by tracking, the polls in a row this process could
	// not make, for failedBackoff.
	failed claimloop.Failures[string]
}

const (
	// firstPollLease is how long a claimed first poll is withheld from
	// other claims: longer than a poll can last (firstPollTimeout) plus
	// its commit. It matches the queue's wait for a job left running by
	// a dead process (queue's orphanAfter, 90 s).
	firstPollLease = 90 * time.Second
	// firstPollTimeout bounds a claimed poll up to its transaction: the
	// queue's job timeout.
	firstPollTimeout = 75 * time.Second
	// firstPollBatch bounds one claim.
	firstPollBatch = 500
	// retryFirstPollAfter is when a first poll that failed to run is
	// claimable again, doubled at each failure in a row up to
	// maxRetryFirstPollAfter.
	retryFirstPollAfter    = 5 * time.Second
	maxRetryFirstPollAfter = time.Hour
)

// pollClaim is a claimed first poll under way (Service.poll).
type pollClaim struct {
	key   store.FirstPollKey
	until time.Time // the end of the claim's lease: its first_poll_due
	ended bool      // the poll's transaction ended the claim
}

// errPollSnoozed is the error of a poll whose connection must wait: fetch
// returns it, Poll turns it into the queue's snooze, and the claim loop
// defers the claim to the end of the wait.
type errPollSnoozed struct{ wait time.Duration }

func (e errPollSnoozed) Error() string { return "carrier connection must wait" }

// wake returns the channel a create signals once it has committed a first
// poll to claim, so that the loop of this process claims it at once.
func (s *Service) wake() chan struct{} {
	s.firstPollsOnce.Do(func() { s.firstPollsWake = make(chan struct{}, 1) })
	return s.firstPollsWake
}

// firstPollsCommitted wakes this process's FirstPolls loop, if asleep.
func (s *Service) firstPollsCommitted() {
	select {
	case s.wake() <- struct{}{}:
	default:
	}
}

// Run claims and starts first polls until claims ends; the polls run
// under work (whose end cancels them) and go on after Run returns: Wait
// waits for them.
func (f *FirstPolls) Run(claims, work context.Context) {
	f.loop.Workers, f.loop.Batch, f.loop.Poll, f.loop.Wake = f.Workers, firstPollBatch, cmp.Or(f.Poll, 100*time.Millisecond), f.Service.wake()
	f.loop.Logger, f.loop.What, f.loop.Lease = f.Logger, "claim first polls", f.lease()
	f.loop.Claim = f.claim
	f.loop.Work = f.pollClaimed
	if f.Service.Store.Engine() == store.SQLite {
		// This process alone works this file: what its predecessor
		// claimed, it will not poll (as the queue makes its running
		// jobs available again at start-up).
		if _, err := f.Service.Store.Write().ReleaseFirstPolls(claims, f.Service.now(), firstPollLease); err != nil && f.Logger != nil {
			f.Logger.Warn("release first polls", "err", err)
		}
	}
	f.loop.Run(claims, work)
}

// claim claims up to n first polls due now.
func (f *FirstPolls) claim(ctx context.Context, n int) ([]store.FirstPollKey, time.Time, error) {
	now := f.Service.now()
	keys, err := f.Service.Store.Write().ClaimFirstPolls(ctx, now, f.lease(), n)
	return keys, now.Add(f.lease()), err
}

// lease is f.Lease, firstPollLease when 0 or longer.
func (f *FirstPolls) lease() time.Duration {
	if f.Lease <= 0 || f.Lease > firstPollLease {
		return firstPollLease
	}
	return f.Lease
}

// Wait waits for the polls under way, or for ctx.
func (f *FirstPolls) Wait(ctx context.Context) error { return f.loop.Wait(ctx) }

// pollClaimed makes the claimed first poll of k under the claim that ends
// at claimedUntil. A poll that did nothing (the tracking is gone, stopped,
// or no longer expects it) ends the claim itself; one snoozed or cut
// short is made claimable again later: a snoozed one when its connection
// has room, one that failed to run after failedBackoff.
func (f *FirstPolls) pollClaimed(work context.Context, k store.FirstPollKey, claimedUntil time.Time) {
	ctx, cancel := context.WithTimeout(work, firstPollTimeout)
	defer cancel()
	claim := &pollClaim{key: k, until: claimedUntil}
	err := f.Service.poll(ctx, k.OrgID, k.ID, time.Time{}, claim)
	// What follows is written even when work ended; the claim's lease
	// ends the claim anyway if it fails too.
	endCtx, cancelEnd := context.WithTimeout(context.WithoutCancel(work), 30*time.Second)
	defer cancelEnd()
	var s errPollSnoozed
	var again time.Duration
	switch {
	case err == nil:
		f.failedBackoff(k.ID, false)
		if claim.ended {
			return
		}
		if _, err := f.Service.Store.Write().EndFirstPoll(endCtx, k, claimedUntil); err != nil && f.Logger != nil {
			f.Logger.Warn("end first poll", "tracking_id", k.ID, "err", err)
		}
		return
	case errors.As(err, &s):
		again = s.wait
	default:
		again = f.failedBackoff(k.ID, true)
		if f.Logger != nil {
			f.Logger.Warn("first poll not made", "org", k.OrgID, "tracking_id", k.ID, "err", err, "claimable_again_in", again)
		}
	}
	if err := f.Service.Store.Write().DeferFirstPoll(endCtx, k, claimedUntil, f.Service.now().Add(again)); err != nil && f.Logger != nil {
		f.Logger.Warn("defer first poll", "tracking_id", k.ID, "err", err)
	}
}

// failedBackoff records whether tracking id's first poll failed to run
// and returns, for a failure, when its claim should be tried again:
// retryFirstPollAfter doubled at each failure in a row, at most
// maxRetryFirstPollAfter. Counts are this process's: another process
// starts again from retryFirstPollAfter.
func (f *FirstPolls) failedBackoff(id string, failed bool) time.Duration {
	return f.failed.Record(id, failed, retryFirstPollAfter, maxRetryFirstPollAfter)
}
