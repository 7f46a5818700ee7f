package tracking

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// A gate is what the poller knows of one connection (an organization's
// account with a carrier, or a connector that needs none): its call
// budget, whether the carrier asked it to wait, and the batch of polls
// being gathered for one call. Gates live in the process; with
// SharedBudgets set (several instances on one PostgreSQL), the budget and
// the carrier's pauses of a rate-limited connection are kept in the
// database instead, so that the instances keep to the rate together.
type gate struct {
	mu sync.Mutex
	// A token bucket: tokens refill at rate a second up to burst; rate 0
	// is unlimited.
	rate, burst, tokens float64
	last                time.Time
	// pausedUntil is when the carrier lets this connection call again;
	// backoff is the next pause when the carrier does not say.
	pausedUntil time.Time
	backoff     time.Duration
	// gathering is the batch that polls of this connection join.
	gathering *batch
}

// gateKey names a connection: its organization and id, or, for a
// connector that needs no credentials, the courier alone.
type gateKey struct {
	slug   string
	orgID  int64
	connID string
}

// batch is one carrier call for the polls that joined it.
type batch struct {
	reqs    []carrier.FetchRequest
	full    chan struct{} // closed when the batch reaches its connector's MaxBatch
	done    chan struct{} // closed when results, err and snooze are set
	results []carrier.BatchResult
	err     error         // the whole call's error
	snooze  time.Duration // > 0: every member waits this long instead
}

// Defaults of the poller's waiting.
const (
	// gatherWindow is how long the first poll of a batch waits for others
	// of the same connection to join.
	gatherWindow = 20 * time.Millisecond
	// maxThrottleWait is the longest a poll waits in process for its
	// connection's budget; beyond it, the poll is snoozed in the queue.
	maxThrottleWait = 2 * time.Second
	// DefaultPauseMin and DefaultPauseMax bound the pause after a
	// temporary failure whose carrier named no wait: it doubles from the
	// one to the other while failures go on.
	DefaultPauseMin = 30 * time.Second
	DefaultPauseMax = 30 * time.Minute
)

func (s *Service) gateFor(key gateKey, conn carrier.Connector) *gate {
	s.gatesMu.Lock()
	defer s.gatesMu.Unlock()
	if g, ok := s.gates[key]; ok {
		return g
	}
	if s.gates == nil {
		s.gates = map[gateKey]*gate{}
	}
	g := &gate{}
	rate, ok := s.Rates[key.slug]
	if !ok {
		if rl, isLimited := conn.(carrier.RateLimited); isLimited {
			per, burst := rl.DefaultRate()
			rate = carrier.Rate{PerSecond: per, Burst: burst}
		}
	}
	if rate.PerSecond > 0 {
		g.rate, g.burst = rate.PerSecond, float64(max(rate.Burst, 1))
		g.tokens = g.burst
	}
	s.gates[key] = g
	return g
}

// reserve takes one call from the budget and says how long the caller
// must wait before making it.
func (g *gate) reserve(now time.Time) time.Duration {
	if g.rate == 0 {
		return 0
	}
	if !g.last.IsZero() {
		g.tokens = min(g.burst, g.tokens+now.Sub(g.last).Seconds()*g.rate)
	}
	g.last = now
	g.tokens--
	if g.tokens >= 0 {
		return 0
	}
	return time.Duration(-g.tokens / g.rate * float64(time.Second))
}

// unreserve gives back a call reserve took.
func (g *gate) unreserve() {
	if g.rate > 0 {
		g.tokens++
	}
}

// snooze is the error that makes the queue run this poll again after d,
// without counting an attempt.
func (s *Service) snooze(d time.Duration) error {
	d = max(d, time.Millisecond)
	if s.Snooze != nil {
		return s.Snooze(d)
	}
	return queue.Snooze(d)
}

// jitter spreads the polls that waited for the same thing: d plus up to
// a quarter of d.
func jitter(d time.Duration) time.Duration {
	return d + rand.N(d/4+1)
}

// fetchThroughGate asks the carrier about req on behalf of the
// connection key: it joins the connection's batch (when the connector
// batches), keeps to the connection's budget, and turns the carrier's
// rate limits and temporary failures into a pause of this connection
// only. A poll that must wait gets wait > 0 (to snooze for); otherwise
// the carrier's answer about the number, or its error.
func (s *Service) fetchThroughGate(ctx context.Context, key gateKey, conn carrier.Connector, req carrier.FetchRequest) (res carrier.FetchResult, wait time.Duration, err error) {
	g := s.gateFor(key, conn)
	maxBatch := 1
	bc, batches := conn.(carrier.BatchConnector)
	if batches {
		maxBatch = max(bc.MaxBatch(), 1)
	}
	g.mu.Lock()
	if wait := time.Until(g.pausedUntil); wait > 0 {
		g.mu.Unlock()
		return carrier.FetchResult{}, jitter(wait), nil
	}
	b, leader := g.gathering, false
	if b == nil {
		b = &batch{full: make(chan struct{}), done: make(chan struct{})}
		leader = true
		if maxBatch > 1 {
			g.gathering = b
		}
	}
	idx := len(b.reqs)
	b.reqs = append(b.reqs, req)
	if maxBatch > 1 && len(b.reqs) >= maxBatch {
		g.gathering = nil
		close(b.full)
	}
	g.mu.Unlock()

	if leader {
		if maxBatch > 1 {
			timer := time.NewTimer(cmpOrDuration(s.GatherWindow, gatherWindow))
			select {
			case <-b.full:
			case <-timer.C:
			case <-ctx.Done():
			}
			timer.Stop()
			g.mu.Lock()
			if g.gathering == b {
				g.gathering = nil
			}
			g.mu.Unlock()
		}
		// From here on nobody joins b: its members are fixed.
		s.call(ctx, key, g, conn, bc, batches, b)
		close(b.done)
	} else {
		select {
		case <-b.done:
		case <-ctx.Done():
			return carrier.FetchResult{}, 0, ctx.Err()
		}
	}
	if b.snooze > 0 {
		return carrier.FetchResult{}, jitter(b.snooze), nil
	}
	if b.err != nil {
		return carrier.FetchResult{}, 0, b.err
	}
	r := b.results[idx]
	if wait, temporary := carrier.RetryAfter(r.Err); temporary {
		return carrier.FetchResult{}, jitter(cmpOrDuration(wait, s.pauseMin())), nil
	}
	return r.Result, 0, r.Err
}

// call makes b's carrier call within g's budget and sets its outcome.
func (s *Service) call(ctx context.Context, key gateKey, g *gate, conn carrier.Connector, bc carrier.BatchConnector, batches bool, b *batch) {
	wait, snooze, err := s.reserveCall(ctx, key, g)
	switch {
	case err != nil:
		b.err = err
		return
	case snooze > 0:
		b.snooze = snooze
		return
	}
	if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			b.err = ctx.Err()
			return
		}
	}
	if batches && len(b.reqs) > 1 {
		b.results, b.err = bc.FetchBatch(ctx, b.reqs)
		if b.err == nil && len(b.results) != len(b.reqs) {
			b.err = fmt.Errorf("carrier: a batch of %d numbers answered %d results", len(b.reqs), len(b.results))
		}
	} else {
		res, err := conn.Fetch(ctx, b.reqs[0])
		b.results = []carrier.BatchResult{{Result: res, Err: err}}
		if _, temporary := carrier.RetryAfter(err); temporary {
			b.err = err
		}
	}
	cause := b.err
	pausedUntil, paused := g.settle(b, s.pauseMin(), s.pauseMax())
	if paused {
		s.logger().Warn("carrier asked to wait; pausing this connection's polls", "slug", key.slug, "pause", b.snooze.String(), "err", cause)
		if s.SharedBudgets != nil && g.rate > 0 {
			// Tell the other instances; this one keeps its own pause
			// whatever the database says.
			if err := s.SharedBudgets.PauseCarrier(ctx, key.budgetKey(), pausedUntil); err != nil {
				s.logger().Warn("could not share a carrier pause with other instances", "slug", key.slug, "err", err)
			}
		}
	}
}

// settle turns b's temporary failure into a pause of g (the carrier's
// Retry-After, else a backoff doubling from pauseMin to pauseMax) and
// b's snooze; a call that succeeded ends the backoff.
func (g *gate) settle(b *batch, pauseMin, pauseMax time.Duration) (pausedUntil time.Time, paused bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	retryAfter, temporary := carrier.RetryAfter(b.err)
	if !temporary {
		if b.err == nil {
			g.backoff = 0
		}
		return time.Time{}, false
	}
	pause := retryAfter
	if pause <= 0 {
		pause = cmpOrDuration(g.backoff, pauseMin)
		g.backoff = min(2*pause, pauseMax)
	}
	g.pausedUntil = time.Now().Add(pause)
	b.snooze, b.err = pause, nil
	return g.pausedUntil, true
}

// reserveCall takes one call from the connection's budget: the shared one
// (SharedBudgets) for a rate-limited connection when the service has it,
// else the gate's. It returns how long to wait before calling, or a snooze
// > 0 when nothing was taken because the connection is paused or its
// budget is spent for longer than maxThrottleWait.
func (s *Service) reserveCall(ctx context.Context, key gateKey, g *gate) (wait, snooze time.Duration, err error) {
	if s.SharedBudgets == nil || g.rate == 0 {
		g.mu.Lock()
		defer g.mu.Unlock()
		wait := g.reserve(time.Now())
		if wait > maxThrottleWait {
			g.unreserve()
			return 0, wait, nil
		}
		return wait, 0, nil
	}
	take, err := s.SharedBudgets.TakeCarrierCall(ctx, key.budgetKey(), g.rate, int(g.burst), maxThrottleWait, time.Now())
	switch {
	case err != nil:
		return 0, 0, err
	case !take.PausedUntil.IsZero():
		g.mu.Lock()
		if take.PausedUntil.After(g.pausedUntil) {
			g.pausedUntil = take.PausedUntil // another instance was told to wait
		}
		g.mu.Unlock()
		return 0, max(time.Until(take.PausedUntil), time.Millisecond), nil
	case !take.Taken:
		return 0, take.Wait, nil
	}
	return take.Wait, 0, nil
}

// CarrierBudgets keeps rate-limited connections' call budgets and pauses
// where every instance sees them (store.Store, in the database).
type CarrierBudgets interface {
	TakeCarrierCall(ctx context.Context, key store.BudgetKey, perSecond float64, burst int, maxWait time.Duration, now time.Time) (store.BudgetTake, error)
	PauseCarrier(ctx context.Context, key store.BudgetKey, until time.Time) error
}

func (k gateKey) budgetKey() store.BudgetKey {
	return store.BudgetKey{OrgID: k.orgID, Slug: k.slug, ConnectionID: k.connID}
}

func (s *Service) pauseMin() time.Duration { return cmpOrDuration(s.PauseMin, DefaultPauseMin) }
func (s *Service) pauseMax() time.Duration {
	return max(cmpOrDuration(s.PauseMax, DefaultPauseMax), s.pauseMin())
}

func cmpOrDuration(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}
