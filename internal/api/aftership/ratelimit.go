package aftership

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill/internal/sharedlimit"
)

// RateLimiter enforces per-key, per-endpoint token buckets, with
// AfterShip's X-RateLimit-* headers on every response. The buckets are this
// process's own unless Shared is set; then they are kept in Redis and every
// instance sharing it spends one budget (sharedlimit), falling back to this
// process's buckets while Redis does not answer.
type RateLimiter struct {
	// Scale multiplies every limit; 0 turns limiting off.
	Scale float64
	Now   func() time.Time
	// Shared, when set, keeps the buckets in Redis.
	Shared *sharedlimit.Limiter

	mu      sync.Mutex
	buckets map[bucketKey]*rate.Limiter
}

type bucketKey struct {
	key      [sha256.Size]byte // a hash, so that keys are not kept in memory in clear
	endpoint string
}

// NewRateLimiter returns a limiter with the given scale.
func NewRateLimiter(scale float64) *RateLimiter {
	return &RateLimiter{Scale: scale, Now: time.Now, buckets: map[bucketKey]*rate.Limiter{}}
}

// Allow takes one token from the bucket of key and endpoint, whose budget is
// perSecond requests a second with a burst of the same size, sets the
// X-RateLimit-* headers and reports whether the request may go ahead.
func (l *RateLimiter) Allow(ctx context.Context, h http.Header, key, endpoint string, perSecond float64) bool {
	limit := perSecond * l.Scale
	if limit <= 0 {
		return true
	}
	burst := max(int(limit), 1)
	now := l.Now()
	if d, ok := l.Shared.Take(ctx, "aftership:"+endpoint+":"+key, sharedlimit.Rate{PerSecond: limit, Burst: burst}, 1); ok {
		setHeaders(h, now, burst, d.Tokens, d.ResetAfter, d.Allowed, d.RetryAfter)
		return d.Allowed
	}
	bk := bucketKey{sha256.Sum256([]byte(key)), endpoint}
	l.mu.Lock()
	b, ok := l.buckets[bk]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.evictFull(now)
		}
		b = rate.NewLimiter(rate.Limit(limit), burst)
		l.buckets[bk] = b
	}
	allowed := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	l.mu.Unlock()

	refill := time.Duration((float64(burst) - tokens) / limit * float64(time.Second))
	wait := time.Duration((1 - tokens) / limit * float64(time.Second))
	setHeaders(h, now, burst, tokens, refill, allowed, wait)
	return allowed
}

// setHeaders sets AfterShip's rate-limit headers: the bucket's size, the
// whole tokens left, when it is full again (Unix seconds, rounded up) and,
// when refused, Retry-After in whole seconds (rounded up, at least 1).
func setHeaders(h http.Header, now time.Time, burst int, tokens float64, refill time.Duration, allowed bool, wait time.Duration) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(int(tokens), 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(refill).Add(time.Second-1).Unix(), 10))
	if !allowed {
		h.Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
	}
}

// maxBuckets bounds the limiter's memory: past it, buckets that have refilled
// completely (clients that went quiet) are dropped, which loses nothing.
const maxBuckets = 50_000

func (l *RateLimiter) evictFull(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.buckets, k)
		}
	}
}
