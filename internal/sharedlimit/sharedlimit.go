// Package sharedlimit keeps rate-limit buckets in Redis, so that every
// Waybill instance configured with the same Redis (WAYBILL_REDIS_URL)
// spends one budget per key instead of one each. The buckets are GCRA
// token buckets (github.com/go-redis/redis_rate), decided atomically in
// Redis by a script that reads Redis's own clock, so instances need no
// synchronized clocks.
//
// Redis is an accelerator of fairness, not a dependency of availability:
// when it does not answer, Take reports so and the caller decides with its
// own in-process bucket, as an instance without Redis does. While Redis
// is down the whole deployment therefore admits at most N times a key's
// budget (N instances), never zero, and requests are not slowed by more
// than one short timeout per second and instance.
package sharedlimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Rate is a bucket's budget: PerSecond tokens a second refill a bucket of
// Burst tokens.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Decision is what Redis decided for one Take.
type Decision struct {
	Allowed bool
	// Tokens is what the bucket holds after the decision (fractional).
	Tokens float64
	// RetryAfter is, when refused, how long until the request would be
	// admitted; 0 when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again.
	ResetAfter time.Duration
}

// Limiter decides takes from buckets kept in Redis. It is safe for
// concurrent use. A nil *Limiter never answers (Take reports false).
type Limiter struct {
	client *redis.Client
	rl     *redis_rate.Limiter
	logger *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	downUntil time.Time // Redis failed: decide locally until then
	down      bool      // a failure was logged and no success since
}

// Timeouts of one Redis exchange: a limiter that waits longer than this
// for Redis costs the request more than the budget is worth.
const (
	dialTimeout = 250 * time.Millisecond
	ioTimeout   = 250 * time.Millisecond
)

// retryAfterFailure is how long Takes skip Redis after it failed, so that
// an unreachable Redis costs one timeout a second, not one per request.
const retryAfterFailure = time.Second

// New connects to the Redis at url (redis://[user:password@]host:port[/db]
// or rediss:// for TLS). It does not wait for Redis: an unreachable one is
// logged and retried as requests come (see the package doc).
func New(url string, logger *slog.Logger) (*Limiter, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("WAYBILL_REDIS_URL: %w", err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = dialTimeout, ioTimeout, ioTimeout
	// A failure falls back at once; retrying would only add latency.
	opts.MaxRetries, opts.DialerRetries, opts.PoolTimeout = -1, 1, ioTimeout
	client := redis.NewClient(opts)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The client's own messages (a dial that failed, ...) would repeat
	// what failed logs once per outage; they go to debug. The setting is
	// the process's: the first limiter's logger takes them.
	setLogger.Do(func() { redis.SetLogger(debugLog{logger}) })
	return &Limiter{client: client, rl: redis_rate.NewLimiter(client), logger: logger, now: time.Now}, nil
}

// Ping reports whether Redis answers now.
func (l *Limiter) Ping(ctx context.Context) error { return l.client.Ping(ctx).Err() }

// Close releases the connections.
func (l *Limiter) Close() error { return l.client.Close() }

// Take spends n tokens (0 only reads the bucket) from the bucket named
// key (hashed before it reaches Redis: keys may be secrets) of the given
// rate, when the bucket holds them, and reports Redis's decision. ok is
// false when Redis did not answer (or has not within the last second, or
// l is nil): the caller decides locally.
func (l *Limiter) Take(ctx context.Context, key string, r Rate, n int) (d Decision, ok bool) {
	if l == nil || r.PerSecond <= 0 || r.Burst < 1 {
		return Decision{}, false
	}
	l.mu.Lock()
	skip := l.now().Before(l.downUntil)
	l.mu.Unlock()
	if skip {
		return Decision{}, false
	}
	res, err := l.rl.AllowN(ctx, bucketName(key), limitOf(r), n)
	if err != nil {
		if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			l.failed(err)
		}
		return Decision{}, false
	}
	l.succeeded()
	d = Decision{Allowed: res.Allowed >= n && res.RetryAfter < 0, ResetAfter: max(res.ResetAfter, 0)}
	if n == 0 {
		d.Allowed = true
	}
	if !d.Allowed {
		d.RetryAfter = max(res.RetryAfter, 0)
	}
	d.Tokens = max(float64(r.Burst)-d.ResetAfter.Seconds()*r.PerSecond, 0)
	return d, true
}

// periodTokens is how many tokens limitOf puts in one period, so that a
// fractional rate (20 a minute, 0.5 a second) is exact: redis_rate counts
// whole tokens per period and spaces them period/rate apart.
const periodTokens = 1000

// limitOf is r as redis_rate's limit: tokens spaced 1/PerSecond seconds
// apart, Burst of them at most.
func limitOf(r Rate) redis_rate.Limit {
	return redis_rate.Limit{Rate: periodTokens, Burst: r.Burst,
		Period: time.Duration(float64(time.Second) * periodTokens / r.PerSecond)}
}

// bucketName is the Redis key of a bucket: the key's SHA-256, so that
// API keys and addresses are not stored in clear.
func bucketName(key string) string {
	h := sha256.Sum256([]byte(key))
	return "waybill:" + hex.EncodeToString(h[:])
}

func (l *Limiter) failed(err error) {
	l.mu.Lock()
	l.downUntil = l.now().Add(retryAfterFailure)
	first := !l.down
	l.down = true
	l.mu.Unlock()
	if first {
		l.logger.Warn("shared rate limits: Redis does not answer; each instance limits on its own until it does", "err", err)
	}
}

func (l *Limiter) succeeded() {
	l.mu.Lock()
	was := l.down
	l.down = false
	l.mu.Unlock()
	if was {
		l.logger.Info("shared rate limits: Redis answers again; limits are shared")
	}
}

var setLogger sync.Once

// debugLog passes go-redis's messages to a logger at debug level.
type debugLog struct{ logger *slog.Logger }

func (d debugLog) Printf(ctx context.Context, format string, v ...any) {
	d.logger.DebugContext(ctx, fmt.Sprintf(format, v...))
}
