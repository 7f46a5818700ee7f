package tracking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/waybillhq/waybill/internal/claimloop"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// PollClaims makes the polls of the trackings a Service with ClaimPolls
// follows: it
// claims due polls from the poll schedule (poll_schedule, a narrow row
// per tracking), a batch per statement (store.ClaimPolls), and polls each as the queue's poll job would
// (Poll), through the same carrier gates and budgets. A poll is claimed
// for Lease; the poll's transaction ends the claim
// (store.EndPollClaim) or writes the next poll's time in the schedule
// (schedulePoll), so a claim whose process died is taken up again after
// the lease, and a poll is bounded well within it (on SQLite, which one
// process works, Run releases its predecessor's claims at once); a claim
// taken again while its first poller still ran is applied by one of them
// only. A poll that must wait for its connection (the queue's snooze) is
// deferred to that time, one that failed to run (the store refused it)
// is retried later, doubling (failedBackoff). Poll jobs waiting in the
// queue (queued before migration 00026, or by a process without
// ClaimPolls) are moved into the schedule when Run starts, if Jobs is
// set; those that run meanwhile write their next poll in the schedule.
type PollClaims struct {
	Service *Service
	// Workers bounds the polls under way at once; 1 when < 1.
	Workers int
	// Poll is the wait between claims when none was due, unless a create
	// of this process wakes the loop sooner; 100 ms when 0.
	Poll time.Duration
	// IdlePoll is the longest wait between claims while claims in a row
	// find nothing (claimloop.Loop.IdlePoll: the wait doubles from Poll);
	// idlePollClaimPoll when 0. A poll this process commits due now wakes
	// the loop, so only polls falling due at their scheduled time, or
	// committed by another instance, wait up to IdlePoll rather than Poll.
	IdlePoll time.Duration
	// Lease is how long a claimed poll is withheld from other
	// claims (WAYBILL_CLAIM_LEASE); pollClaimLease when 0 or longer. The
	// claim loop cancels a poll at five sixths of it. (On SQLite, Run
	// releases the claims of the longest lease, pollClaimLease, whatever
	// lease its predecessor had.)
	Lease  time.Duration
	Logger *slog.Logger
	// Jobs, when set, is the queue whose waiting poll jobs Run moves into
	// the poll schedule (moveJobs).
	Jobs PollJobs

	loop claimloop.Loop[store.PollKey]
	// failed counts, by tracking, the polls in a row this process could
	// not make, for failedBackoff.
	failed claimloop.Failures[string]
}

const (
	// pollClaimLease is how long a claimed poll is withheld from
	// other claims: longer than a poll can last (claimedPollTimeout) plus
	// its commit. It matches the queue's wait for a job left running by
	// a dead process (queue's orphanAfter, 90 s).
	pollClaimLease = 90 * time.Second
	// claimedPollTimeout bounds a claimed poll up to its transaction: the
	// queue's job timeout.
	claimedPollTimeout = 75 * time.Second
	// pollGather is how long, under a backlog of due polls, the loop
	// waits after a poll ends before claiming, so that one claim takes
	// the polls of every worker freed meanwhile: claimed one by one, the
	// claims' commits halved the polls made per second on SQLite (the
	// queue's fetch waits likewise, River's FetchCooldown).
	pollGather = 25 * time.Millisecond
	// idlePollClaimPoll is the longest wait between claims that find
	// nothing: idle claims from 10 to 5 a second, and at most 100 ms more
	// before a poll due at its scheduled time (hours apart) is claimed.
	idlePollClaimPoll = 200 * time.Millisecond
	// pollClaimBatch bounds one claim.
	pollClaimBatch = 500
	// retryPollClaimAfter is when a claimed poll that failed to run is
	// claimable again, doubled at each failure in a row up to
	// maxRetryPollClaimAfter.
	retryPollClaimAfter    = 5 * time.Second
	maxRetryPollClaimAfter = time.Hour
)

// PollJobs takes poll jobs out of the queue (queue.Queue.TakePollJobs).
type PollJobs interface {
	TakePollJobs(ctx context.Context, tx *sql.Tx, limit int) ([]queue.Poll, error)
}

// movePollJobsBatch bounds the jobs moved in one transaction.
const movePollJobsBatch = 1000

// pollClaim is a claimed poll under way (Service.poll).
type pollClaim struct {
	key   store.PollKey
	until time.Time // the end of the claim's lease: its poll_schedule.due
	ended bool      // the poll's transaction ended the claim
}

// errPollSnoozed is the error of a poll whose connection must wait: fetch
// returns it, Poll turns it into the queue's snooze, and the claim loop
// defers the claim to the end of the wait.
type errPollSnoozed struct{ wait time.Duration }

func (e errPollSnoozed) Error() string { return "carrier connection must wait" }

// pollsCommitted wakes this process's PollClaims loop, if asleep: a
// create, poll or claim has committed a poll due to claim.
func (s *Service) pollsCommitted() { s.pollWake.Wake() }

// Run claims and starts polls until claims ends; the polls run
// under work (whose end cancels them) and go on after Run returns: Wait
// waits for them.
func (f *PollClaims) Run(claims, work context.Context) {
	f.loop.Workers, f.loop.Batch, f.loop.Poll, f.loop.Wake = f.Workers, pollClaimBatch, cmp.Or(f.Poll, 100*time.Millisecond), f.Service.pollWake.C()
	f.loop.Logger, f.loop.What, f.loop.Lease = f.Logger, "claim polls", f.lease()
	f.loop.Gather, f.loop.IdlePoll = pollGather, cmp.Or(f.IdlePoll, idlePollClaimPoll)
	f.loop.Claim = f.claim
	f.loop.Work = f.pollClaimed
	if f.Service.Store.Engine() == store.SQLite {
		// This process alone works this file: what its predecessor
		// claimed, it will not poll (as the queue makes its running
		// jobs available again at start-up).
		if _, err := f.Service.Store.Write().ReleasePollClaims(claims, f.Service.now(), pollClaimLease); err != nil && f.Logger != nil {
			f.Logger.Warn("release poll claims", "err", err)
		}
	}
	moved := make(chan struct{})
	go func() { defer close(moved); f.moveJobs(claims) }()
	f.loop.Run(claims, work)
	<-moved
}

// moveJobs moves the poll jobs waiting in f.Jobs into the poll
// schedule, a batch per transaction, until none is left or ctx ends: each
// poll is then claimed from the schedule at its due time (a tracking named by
// several keeps the earliest, store.SchedulePolls; one inactive is not
// polled). A job a process runs meanwhile stays a job, and its poll
// writes the next one in the schedule.
func (f *PollClaims) moveJobs(ctx context.Context) {
	if f.Jobs == nil {
		return
	}
	total := 0
	for ctx.Err() == nil {
		var n int
		err := f.Service.Store.WithTx(ctx, func(tx *store.Tx) error {
			polls, err := f.Jobs.TakePollJobs(ctx, tx.SQL(), movePollJobsBatch)
			if err != nil || len(polls) == 0 {
				return err
			}
			n = len(polls)
			due := make([]store.PollDue, len(polls))
			for i, p := range polls {
				due[i] = store.PollDue{OrgID: p.OrgID, ID: p.TrackingID, Due: p.Due}
			}
			return tx.SchedulePolls(ctx, due)
		})
		if err != nil {
			if ctx.Err() == nil && f.Logger != nil {
				f.Logger.Warn("move poll jobs into the poll schedule", "err", err)
			}
			return
		}
		total += n
		if n < movePollJobsBatch {
			break
		}
	}
	if total > 0 {
		f.Service.pollsCommitted()
		if f.Logger != nil {
			f.Logger.Info("moved queued poll jobs into the trackings' poll schedule", "polls", total)
		}
	}
}

// claim claims up to n polls due now.
func (f *PollClaims) claim(ctx context.Context, n int) ([]store.PollKey, time.Time, error) {
	now := f.Service.now()
	keys, err := f.Service.Store.Write().ClaimPolls(ctx, now, f.lease(), n)
	return keys, now.Add(f.lease()), err
}

// lease is f.Lease, pollClaimLease when 0 or longer.
func (f *PollClaims) lease() time.Duration { return claimloop.Lease(f.Lease, pollClaimLease) }

// Wait waits for the polls under way, or for ctx.
func (f *PollClaims) Wait(ctx context.Context) error { return f.loop.Wait(ctx) }

// pollClaimed makes the claimed poll of k under the claim that ends
// at claimedUntil. A poll that did nothing (the tracking is gone, stopped,
// or no longer expects it) ends the claim itself; one snoozed or cut
// short is made claimable again later: a snoozed one when its connection
// has room, one that failed to run after failedBackoff.
func (f *PollClaims) pollClaimed(work context.Context, k store.PollKey, claimedUntil time.Time) {
	ctx, cancel := context.WithTimeout(work, claimedPollTimeout)
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
		if _, err := f.Service.Store.Write().EndPollClaim(endCtx, k, claimedUntil); err != nil && f.Logger != nil {
			f.Logger.Warn("end poll claim", "tracking_id", k.ID, "err", err)
		}
		return
	case errors.As(err, &s):
		again = s.wait
	default:
		again = f.failedBackoff(k.ID, true)
		if f.Logger != nil {
			f.Logger.Warn("poll not made", "org", k.OrgID, "tracking_id", k.ID, "err", err, "claimable_again_in", again)
		}
	}
	if err := f.Service.Store.Write().DeferPoll(endCtx, k, claimedUntil, f.Service.now().Add(again)); err != nil && f.Logger != nil {
		f.Logger.Warn("defer poll", "tracking_id", k.ID, "err", err)
	}
}

// failedBackoff records whether tracking id's poll failed to run
// and returns, for a failure, when its claim should be tried again:
// retryPollClaimAfter doubled at each failure in a row, at most
// maxRetryPollClaimAfter. Counts are this process's: another process
// starts again from retryPollClaimAfter.
func (f *PollClaims) failedBackoff(id string, failed bool) time.Duration {
	return f.failed.Record(id, failed, retryPollClaimAfter, maxRetryPollClaimAfter)
}
