package onport

import (
	"context"
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/sharedlimit"
)

// Throttle is Onport's leaky bucket per token: by default 2 GET requests a
// second and 1 other request a second, each bucket holding Capacity
// seconds' worth of requests. Scale multiplies both rates; 0 turns
// throttling off (benchmarks). The buckets are this process's own unless
// Shared is set; then they are kept in Redis and every instance sharing it
// spends one budget (sharedlimit), falling back to this process's buckets
// while Redis does not answer.
type Throttle struct {
	Scale     float64
	GetRate   float64 // GET requests a second at scale 1
	WriteRate float64 // other requests a second at scale 1
	Capacity  float64 // seconds of requests a bucket holds
	Now       func() time.Time
	// Shared, when set, keeps the buckets in Redis.
	Shared  *sharedlimit.Limiter
	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct {
	token [sha256.Size]byte
	write bool
}

// bucket is a leaky bucket: level drains at rate per second; a request
// adds 1 and is refused when it would overflow capacity.
type bucket struct {
	level float64
	at    time.Time
}

// NewThrottle returns Onport's defaults at the given scale.
func NewThrottle(scale float64) *Throttle {
	return &Throttle{Scale: scale, GetRate: 2, WriteRate: 1, Capacity: 2, Now: time.Now, buckets: map[bucketKey]*bucket{}}
}

const maxBuckets = 50_000

// Allow admits or refuses one request of token, and sets
// X-RateLimit-Limit (bucket size), X-RateLimit-Remaining (requests that
// would be admitted now) and, when refused, Retry-After (seconds).
func (t *Throttle) Allow(ctx context.Context, h http.Header, token, method string) bool {
	if t == nil || t.Scale <= 0 {
		return true
	}
	write := method != http.MethodGet && method != http.MethodHead
	rate := t.GetRate * t.Scale
	if write {
		rate = t.WriteRate * t.Scale
	}
	capacity := math.Max(math.Floor(rate*t.Capacity), 1)
	// A leaky bucket of capacity c draining at rate r admits what a token
	// bucket of c tokens refilled at r does: the shared one is the latter.
	kind := "get:"
	if write {
		kind = "write:"
	}
	if d, ok := t.Shared.Take(ctx, "onport:"+kind+token, sharedlimit.Rate{PerSecond: rate, Burst: int(capacity)}, 1); ok {
		setHeaders(h, capacity, capacity-d.Tokens, d.Allowed, d.RetryAfter.Seconds())
		return d.Allowed
	}
	now := t.Now()
	k := bucketKey{sha256.Sum256([]byte(token)), write}
	t.mu.Lock()
	b := t.buckets[k]
	if b == nil {
		if len(t.buckets) >= maxBuckets {
			for key, old := range t.buckets {
				if old.level-now.Sub(old.at).Seconds()*rate <= 0 {
					delete(t.buckets, key)
				}
			}
		}
		b = &bucket{at: now}
		t.buckets[k] = b
	}
	b.level = math.Max(0, b.level-now.Sub(b.at).Seconds()*rate)
	b.at = now
	allowed := b.level+1 <= capacity
	if allowed {
		b.level++
	}
	level := b.level
	t.mu.Unlock()

	setHeaders(h, capacity, level, allowed, (level+1-capacity)/rate)
	return allowed
}

// setHeaders sets X-RateLimit-Limit (bucket size), X-RateLimit-Remaining
// (requests that would be admitted now, with the bucket at level) and,
// when refused, Retry-After (wait seconds, rounded up).
func setHeaders(h http.Header, capacity, level float64, allowed bool, wait float64) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(capacity)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Max(0, math.Floor(capacity-level)))))
	if !allowed {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
	}
}
