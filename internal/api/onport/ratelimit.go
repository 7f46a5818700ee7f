package onport

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Throttle is Onport's leaky bucket per token: by default 2 GET requests a
// second and 1 other request a second, each bucket holding Capacity
// seconds' worth of requests. Scale multiplies both rates; 0 turns
// throttling off (benchmarks).
type Throttle struct {
	Scale     float64
	GetRate   float64 // GET requests a second at scale 1
	WriteRate float64 // other requests a second at scale 1
	Capacity  float64 // seconds of requests a bucket holds
	Now       func() time.Time
	mu        sync.Mutex
	buckets   map[bucketKey]*bucket
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
func (t *Throttle) Allow(h http.Header, token, method string) bool {
	if t == nil || t.Scale <= 0 {
		return true
	}
	write := method != http.MethodGet && method != http.MethodHead
	rate := t.GetRate * t.Scale
	if write {
		rate = t.WriteRate * t.Scale
	}
	capacity := math.Max(math.Floor(rate*t.Capacity), 1)
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

	h.Set("X-RateLimit-Limit", strconv.Itoa(int(capacity)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Max(0, math.Floor(capacity-level)))))
	if !allowed {
		wait := (level + 1 - capacity) / rate
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
	}
	return allowed
}
