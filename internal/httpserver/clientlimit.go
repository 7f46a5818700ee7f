package httpserver

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ClientLimits keeps one token bucket per client address: the shared
// mechanism behind the failed-authentication throttle and the tracking
// portal's lookup limit. The table is bounded: addresses whose bucket is
// full again are forgotten, and past maxThrottledClients a new address is
// not limited until room frees (failing open rather than growing without
// bound). It is safe for concurrent use.
type ClientLimits struct {
	limit rate.Limit
	burst int

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

// Allow reports whether the request's address may act now, and spends one
// token when it may.
func (l *ClientLimits) Allow(r *http.Request) bool {
	now := time.Now()
	lim := l.bucket(ClientKey(r), now)
	return lim == nil || lim.AllowN(now, 1)
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
