package onportlink

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Onport throttles each token as a leaky bucket of 2 GET requests and 1
// write per second. The defaults keep a 10% margin, so that requests spaced
// by the client still arrive spaced after network and scheduling jitter.
const (
	DefaultGetEvery   = 550 * time.Millisecond
	DefaultWriteEvery = 1100 * time.Millisecond
)

// Throttle spaces the requests this process makes with each token: GETs at
// least GetEvery apart, writes at least WriteEvery apart, and none while
// Onport has asked to wait (Pause, after a 429). Every job of the process
// shares it, so the budget holds however many workers run; several
// processes sharing a token each keep their own spacing (see the README).
// It is not golang.org/x/time/rate: a Limiter cannot be paused until a
// moment the server names (a 429's Retry-After) without spending tokens it
// would then lend out again, and Onport's leaky bucket wants each request
// spaced from when the previous one really left, not an average with bursts.
// The zero value uses the defaults. It is safe for concurrent use.
type Throttle struct {
	GetEvery   time.Duration
	WriteEvery time.Duration

	mu      sync.Mutex
	buckets map[[32]byte]*bucket
	left    func(token string, write bool, at time.Time) // tests: when each request left, under the lock
}

type bucket struct {
	lastGet, lastWrite, pausedUntil time.Time
}

// NewThrottle returns a Throttle with the default spacing.
func NewThrottle() *Throttle { return &Throttle{} }

func (t *Throttle) bucket(token string) *bucket {
	key := sha256.Sum256([]byte(token)) // the token itself is not kept as a map key
	if t.buckets == nil {
		t.buckets = map[[32]byte]*bucket{}
	}
	b := t.buckets[key]
	if b == nil {
		b = &bucket{}
		t.buckets[key] = b
	}
	return b
}

// Wait blocks until the token may make one more request (a write when
// write is true), or ctx is done. Two requests of a kind never leave less
// than the spacing apart: the time a request leaves is taken under the
// lock, and a waiter that wakes to find another one gone first waits again.
func (t *Throttle) Wait(ctx context.Context, token string, write bool) error {
	every := t.GetEvery
	if every <= 0 {
		every = DefaultGetEvery
	}
	if write {
		every = t.WriteEvery
		if every <= 0 {
			every = DefaultWriteEvery
		}
	}
	for {
		t.mu.Lock()
		b := t.bucket(token)
		last := &b.lastGet
		if write {
			last = &b.lastWrite
		}
		now := time.Now()
		at := last.Add(every)
		if b.pausedUntil.After(at) {
			at = b.pausedUntil
		}
		if !at.After(now) {
			*last = now
			if t.left != nil {
				t.left(token, write, now)
			}
			t.mu.Unlock()
			return nil
		}
		t.mu.Unlock()
		timer := time.NewTimer(at.Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// Pause holds every request of the token until until (Onport answered 429
// with Retry-After).
func (t *Throttle) Pause(token string, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if b := t.bucket(token); until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}
