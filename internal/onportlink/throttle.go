package onportlink

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Onport throttles each token as a leaky bucket of 2 GET requests and 1
// write per second. The defaults keep a 5% margin, so that requests spaced
// by the client still arrive spaced after network jitter.
const (
	DefaultGetEvery   = 525 * time.Millisecond
	DefaultWriteEvery = 1050 * time.Millisecond
)

// Throttle spaces the requests this process makes with each token: GETs at
// least GetEvery apart, writes at least WriteEvery apart, and none while
// Onport has asked to wait (Pause, after a 429). Every job of the process
// shares it, so the budget holds however many workers run; several
// processes sharing a token each keep their own spacing (see the README).
// The zero value uses the defaults. It is safe for concurrent use.
type Throttle struct {
	GetEvery   time.Duration
	WriteEvery time.Duration

	mu      sync.Mutex
	buckets map[[32]byte]*bucket
}

type bucket struct {
	nextGet, nextWrite, pausedUntil time.Time
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
// write is true), or ctx is done.
func (t *Throttle) Wait(ctx context.Context, token string, write bool) error {
	for {
		t.mu.Lock()
		b := t.bucket(token)
		now := time.Now()
		slot := now
		if b.pausedUntil.After(slot) {
			slot = b.pausedUntil
		}
		next, every := &b.nextGet, t.GetEvery
		if every <= 0 {
			every = DefaultGetEvery
		}
		if write {
			next, every = &b.nextWrite, t.WriteEvery
			if every <= 0 {
				every = DefaultWriteEvery
			}
		}
		if next.After(slot) {
			slot = *next
		}
		*next = slot.Add(every)
		paused := b.pausedUntil
		t.mu.Unlock()
		if d := time.Until(slot); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			case <-timer.C:
			}
		}
		t.mu.Lock()
		repaused := t.bucket(token).pausedUntil.After(paused)
		t.mu.Unlock()
		if !repaused {
			return nil
		}
		// A 429 arrived while this request waited: queue again behind it.
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
