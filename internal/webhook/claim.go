package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/store"
)

// FirstAttempts makes the first attempts of the deliveries a Service with
// ClaimFirstAttempts made: it claims due deliveries from the deliveries
// table, a batch per statement (store.ClaimDueDeliveries), and attempts
// each with Deliverer.Deliver's rules, reads and group-committed records.
// A delivery is claimed for claimLease; its record ends the claim, so a
// claim whose process died is taken up again after the lease, and an
// attempt is bounded well within it, so that two processes never make the
// same attempt at once. Retries remain jobs of the queue.
type FirstAttempts struct {
	Deliverer *Deliverer
	// Workers bounds the attempts under way at once; 1 when < 1.
	Workers int
	// Poll is the wait between claims when none was due; 25 ms when 0.
	Poll   time.Duration
	Logger *slog.Logger

	running sync.WaitGroup
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
	// retryClaimAfter is when an attempt that failed to run (the database
	// refused its read or record) is claimable again.
	retryClaimAfter = 5 * time.Second
)

// errSnoozed is returned by an attempt whose endpoint stayed at its limit.
type errSnoozed struct{ wait time.Duration }

func (e errSnoozed) Error() string { return "endpoint at its limit" }

// Run claims and starts attempts until claims ends; the attempts run
// under work (whose end cancels them) and go on after Run returns: Wait
// waits for them.
func (f *FirstAttempts) Run(claims, work context.Context) {
	poll := f.Poll
	if poll <= 0 {
		poll = 25 * time.Millisecond
	}
	workers := max(f.Workers, 1)
	slots := make(chan struct{}, workers)
	for claims.Err() == nil {
		// Wait for a free worker, then claim as many as are free.
		select {
		case slots <- struct{}{}:
		case <-claims.Done():
			return
		}
		free := 1
		for free < min(workers, claimBatch) {
			select {
			case slots <- struct{}{}:
				free++
				continue
			default:
			}
			break
		}
		keys, err := f.Deliverer.store().Write().ClaimDueDeliveries(claims, f.Deliverer.Service.now(), claimLease, free)
		if err != nil && claims.Err() == nil && f.Logger != nil {
			f.Logger.Warn("claim webhook deliveries", "err", err)
		}
		for _, k := range keys {
			f.running.Add(1)
			go func() {
				defer func() { <-slots; f.running.Done() }()
				f.attempt(work, k)
			}()
		}
		for range free - len(keys) {
			<-slots
		}
		if len(keys) < free {
			select {
			case <-time.After(poll):
			case <-claims.Done():
			}
		}
	}
}

// Wait waits for the attempts under way, or for ctx.
func (f *FirstAttempts) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { f.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt makes a claimed delivery's first attempt. An attempt snoozed or
// cut short before its record is made claimable again a little later.
func (f *FirstAttempts) attempt(work context.Context, k store.DeliveryKey) {
	ctx, cancel := context.WithTimeout(work, attemptTimeout)
	defer cancel()
	err := f.Deliverer.deliver(ctx, k.OrgID, k.ID, 1, func(wait time.Duration) error { return errSnoozed{wait} })
	if err == nil {
		return
	}
	again := retryClaimAfter
	var s errSnoozed
	if errors.As(err, &s) {
		again = s.wait
	} else if f.Logger != nil {
		f.Logger.Warn("webhook attempt not made", "org", k.OrgID, "delivery", k.ID, "err", err)
	}
	// The claim's lease ends it anyway if this fails too.
	deferCtx, cancelDefer := context.WithTimeout(context.WithoutCancel(work), commitTimeout)
	defer cancelDefer()
	if err := f.Deliverer.store().Write().DeferClaim(deferCtx, k, f.Deliverer.Service.now().Add(again)); err != nil && f.Logger != nil {
		f.Logger.Warn("defer webhook delivery", "delivery", k.ID, "err", err)
	}
}
