package httpserver

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill/internal/sharedlimit"
)

// ClientLimits keeps one token bucket per client address: the shared
// mechanism behind the failed-authentication throttle and the tracking
// portal's lookup limit. The table is bounded: addresses whose bucket is
// full again are forgotten, and past maxThrottledClients a new address is
// not limited until room frees (failing open rather than growing without
// bound). It is safe for concurrent use.
//
// After Share, the buckets are kept in Redis and every instance sharing it
// spends one budget per address; while Redis does not answer, this
// process's table decides, as without Redis.
type ClientLimits struct {
	limit rate.Limit
	burst int

	shared    *sharedlimit.Limiter
	namespace string // the buckets' prefix in Redis

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	swept   time.Time
}

// maxThrottledClients bounds the addresses tracked at once.
const maxThrottledClients = 100_000

// NewClientLimits gives every address a bucket of burst tokens that refills
// at limit tokens a second.
func NewClientLimits(limit rate.Limit, burst int) *ClientLimits {
	return &ClientLimits{limit: limit, burst: burst, clients: map[string]*rate.Limiter{}}
}

// Share keeps the buckets in Redis through shared, under namespace (which
// tells this table's buckets from another's). Call it before use.
func (l *ClientLimits) Share(shared *sharedlimit.Limiter, namespace string) {
	l.shared, l.namespace = shared, namespace
}

// Allow reports whether the request's address may act now, and spends one
// token when it may.
func (l *ClientLimits) Allow(r *http.Request) bool {
	key := ClientKey(r)
	if d, ok := l.take(r.Context(), key, 1); ok {
		return d.Allowed
	}
	now := time.Now()
	lim := l.bucket(key, now)
	return lim == nil || lim.AllowN(now, 1)
}

// take asks the shared bucket of key for n tokens (0: how many it holds);
// ok is false when the buckets are not shared or Redis did not answer.
func (l *ClientLimits) take(ctx context.Context, key string, n int) (sharedlimit.Decision, bool) {
	if l.shared == nil {
		return sharedlimit.Decision{}, false
	}
	return l.shared.Take(ctx, l.namespace+":"+key, sharedlimit.Rate{PerSecond: float64(l.limit), Burst: l.burst}, n)
}

// spend takes one token from the bucket of key, when it holds one, shared
// and local alike (the local one then keeps this process's own spending,
// for when Redis stops answering).
func (l *ClientLimits) spend(ctx context.Context, key string, now time.Time) {
	l.take(ctx, key, 1)
	if lim := l.bucket(key, now); lim != nil {
		lim.AllowN(now, 1)
	}
}

// bucket returns the limiter of key, making it when new; nil when the table
// is full.
func (l *ClientLimits) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.clients[key]; ok {
		return lim
	}
	if len(l.clients) >= maxThrottledClients || now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	if len(l.clients) >= maxThrottledClients {
		return nil
	}
	lim := rate.NewLimiter(l.limit, l.burst)
	l.clients[key] = lim
	return lim
}

// sweep forgets the addresses whose bucket is full again.
func (l *ClientLimits) sweep(now time.Time) {
	l.swept = now
	for k, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
}

// ClientKey is the request's peer address; an IPv6 address by its /64,
// which one client usually holds whole. Forwarding headers are not
// trusted: behind a reverse proxy, every client shares the proxy's address.
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
