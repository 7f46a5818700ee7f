// Package claimloop runs the loops that take work claimed from a table
// rather than from the queue (webhook first attempts, first polls): a
// batch of claims per statement, each item worked in a goroutine of its
// own under a bound, a wait between claims that grows while claims find
// nothing, and a doubling backoff for items that failed to run.
package claimloop

import (
	"context"
	"log/slog"
	"math/bits"
	"sync"
	"time"
)

// Loop claims items in batches and works each one. Its fields are read
// when Run starts.
type Loop[K any] struct {
	// Workers bounds the items under way at once; 1 when < 1.
	Workers int
	// Batch bounds one claim; no bound when < 1.
	Batch int
	// Poll is the wait after a claim that found fewer items than it could
	// take; 25 ms when 0.
	Poll time.Duration
	// IdlePoll is the longest wait while the loop is idle: after each claim
	// in a row that found nothing, the wait doubles from Poll up to
	// IdlePoll; a claim that finds an item, or a Wake, brings it back to
	// Poll. Idle claims cost the process and its database CPU that every
	// request then pays for (session 17: the two loops' empty claims were
	// most of an idle server's CPU). Work that no Wake announces (items
	// committed by another process, or falling due at a time of their own)
	// so waits up to IdlePoll rather than Poll before its claim. Poll (no
	// growth) when IdlePoll <= Poll.
	IdlePoll time.Duration
	// Wake, when not nil, ends the wait early and brings it back to Poll.
	// Feed it from a Waker (Waker.C), whose wakes are never lost.
	Wake <-chan struct{}
	// Gather, when set, is how long the loop waits, after a claim that
	// found every item it asked for (more are likely waiting), between a
	// worker freeing up and the next claim, so that the claim takes the
	// items of every worker freed meanwhile: under a backlog, one claim (a
	// transaction, on SQLite a synced commit) per several items rather
	// than one per item. An item waits at most Gather longer; 0 claims at
	// once.
	Gather time.Duration
	// Claim claims up to n items, n a power of two, and returns them with
	// the end of their claim's lease.
	Claim func(ctx context.Context, n int) (items []K, claimedUntil time.Time, err error)
	// Work works one claimed item; ctx is Run's work, ended after
	// Lease*5/6 when Lease is set.
	Work func(ctx context.Context, item K, claimedUntil time.Time)
	// Lease, when set, is the claim's lease: an item's work is cancelled a
	// sixth of it before the lease ends, so that it has stopped before
	// another process may claim the item again, at any lease.
	Lease time.Duration
	// Logger, when not nil, hears Claim's errors as What.
	Logger *slog.Logger
	What   string

	running sync.WaitGroup
	// after, when set (tests), stands for time.After in the wait between
	// claims.
	after func(time.Duration) <-chan time.Time
}

// Run claims and starts items until claims ends; the items run under
// work (whose end cancels them) and go on after Run returns: Wait waits
// for them.
func (l *Loop[K]) Run(claims, work context.Context) {
	poll := l.Poll
	if poll <= 0 {
		poll = 25 * time.Millisecond
	}
	workers := max(l.Workers, 1)
	batch := workers
	if l.Batch > 0 {
		batch = min(workers, l.Batch)
	}
	slots := make(chan struct{}, workers)
	backlog := false
	idle := newIdleWait(poll, l.IdlePoll)
	for claims.Err() == nil {
		// Wait for a free worker, then claim as many as are free.
		select {
		case slots <- struct{}{}:
		case <-claims.Done():
			return
		}
		if backlog && l.Gather > 0 && batch > 1 {
			l.gather(claims)
		}
		free := 1
		for free < batch {
			select {
			case slots <- struct{}{}:
				free++
				continue
			default:
			}
			break
		}
		// Claim a power of two (a store may keep one statement per
		// batch size, as SQLite plans a statement again whenever the
		// LIMIT bound to it changes), so that a claim that finds fewer
		// items than it asked for means that no more were due.
		for ask := 1 << (bits.Len(uint(free)) - 1); free > ask; free-- {
			<-slots
		}
		items, until, err := l.Claim(claims, free)
		if err != nil && claims.Err() == nil && l.Logger != nil {
			l.Logger.Warn(l.What, "err", err)
		}
		for _, item := range items {
			l.running.Add(1)
			go func() {
				defer func() { <-slots; l.running.Done() }()
				ctx, cancel := work, context.CancelFunc(func() {})
				if l.Lease > 0 {
					ctx, cancel = context.WithTimeout(work, l.Lease*5/6)
				}
				defer cancel()
				l.Work(ctx, item, until)
			}()
		}
		backlog = len(items) == free
		for range free - len(items) {
			<-slots
		}
		if len(items) > 0 {
			idle.reset()
		}
		if len(items) < free {
			l.wait(claims, idle.next(len(items) > 0), &idle)
		}
	}
}

// wait waits d, or until a Wake (which resets idle) or claims' end.
func (l *Loop[K]) wait(claims context.Context, d time.Duration, idle *idleWait) {
	var fired <-chan time.Time
	if l.after != nil {
		fired = l.after(d)
	} else {
		timer := time.NewTimer(d)
		defer timer.Stop()
		fired = timer.C
	}
	select {
	case <-fired:
	case <-l.Wake:
		idle.reset()
	case <-claims.Done():
	}
}

// idleWait is the wait after a claim that found fewer items than it
// asked: poll after one that found some, and after each in a row that
// found none twice the one before, from poll up to most.
type idleWait struct {
	poll, most time.Duration
	// empty is the wait after the next claim that finds nothing.
	empty time.Duration
}

// newIdleWait returns the wait of a loop that polls every poll, growing
// up to idle (no growth when idle <= poll).
func newIdleWait(poll, idle time.Duration) idleWait {
	return idleWait{poll: poll, most: max(idle, poll), empty: poll}
}

// next returns the wait after a claim that found fewer items than it
// asked, some when found.
func (w *idleWait) next(found bool) time.Duration {
	if found {
		w.reset()
		return w.poll
	}
	d := w.empty
	w.empty = min(d*2, w.most)
	return d
}

// reset makes the next claim that finds nothing wait poll: one found
// work, or a Wake came.
func (w *idleWait) reset() { w.empty = w.poll }

// gather waits Gather, or for claims' end.
func (l *Loop[K]) gather(claims context.Context) {
	timer := time.NewTimer(l.Gather)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-claims.Done():
	}
}

// Wait waits for the items under way, or for ctx.
func (l *Loop[K]) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { l.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Failures counts, by item, the times in a row an item failed to run. The
// zero value is ready; it is safe for concurrent use.
type Failures[K comparable] struct {
	mu     sync.Mutex
	failed map[K]int
}

// Record records whether item failed to run and returns, for a failure,
// when it should be tried again: first doubled at each failure in a row,
// at most most; 0 for a success, which forgets the item's count.
func (f *Failures[K]) Record(item K, failed bool, first, most time.Duration) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !failed {
		delete(f.failed, item)
		return 0
	}
	if f.failed == nil {
		f.failed = map[K]int{}
	}
	n := f.failed[item]
	f.failed[item] = n + 1
	wait := first
	for range n {
		if wait *= 2; wait >= most {
			return most
		}
	}
	return wait
}

// Lease is the lease a loop's claims take: configured, or most when
// configured is 0, negative or longer than most (a setting of the
// operator's never lengthens a claim beyond what the work's own
// timeouts were sized for).
func Lease(configured, most time.Duration) time.Duration {
	if configured <= 0 || configured > most {
		return most
	}
	return configured
}
