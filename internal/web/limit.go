package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows each client address a burst of lookups, refilled at a
// steady rate, so that order numbers and contact details cannot be guessed
// at speed. Addresses idle for ten minutes are forgotten.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst lookups at once and one more every interval.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, clients: map[string]*client{}}
}

// Allow reports whether the address may look up now, and counts it.
func (l *Limiter) Allow(addr string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for a, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, a)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[addr]
	if !ok {
		c = &client{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[addr] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// clientAddress is the request's remote IP. Waybill does not trust
// forwarding headers: behind a proxy, the proxy is the client.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
