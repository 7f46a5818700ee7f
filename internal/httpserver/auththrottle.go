package httpserver

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill"
)

// AuthThrottle limits failed authentications per client address, on every
// face: each authentication that fails with EUNAUTHORIZED spends one unit
// of the address's budget, which refills at the configured rate. Once the
// budget is spent, every authentication from that address is refused with
// ERATELIMIT and a Retry-After header until a unit has refilled, whatever
// key it presents, so that guessing stops there. Successful
// authentications cost nothing. A nil *AuthThrottle throttles nothing.
//
// The client address is the TCP peer's (an IPv6 peer counts by its /64).
// Behind a reverse proxy every client shares the proxy's address.
//
// It is safe for concurrent use; one value is shared by every face, so the
// budget is per address for the whole server.
type AuthThrottle struct {
	limit   rate.Limit
	burst   int
	now     func() time.Time
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	swept   time.Time
}

// maxThrottledClients bounds the addresses tracked at once. Addresses with a
// full budget are forgotten first; past the bound a new address is not
// throttled until room frees (failing open rather than growing).
const maxThrottledClients = 100_000

// NewAuthThrottle allows perMinute failed authentications a minute per
// client address, in a burst of as many. perMinute <= 0 returns nil (no
// throttling). now is the clock; nil means time.Now.
func NewAuthThrottle(perMinute int, now func() time.Time) *AuthThrottle {
	if perMinute <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &AuthThrottle{limit: rate.Limit(float64(perMinute) / 60), burst: perMinute, now: now,
		clients: map[string]*rate.Limiter{}}
}

// Authenticate runs authenticate for the request unless its address has
// spent its budget, and returns authenticate's error. A refusal is an
// ERATELIMIT error, with Retry-After (seconds) set on w; the face writes
// it in its own envelope. An EUNAUTHORIZED error from authenticate spends
// one unit of the budget.
func (t *AuthThrottle) Authenticate(w http.ResponseWriter, r *http.Request, authenticate func() error) error {
	if t == nil {
		return authenticate()
	}
	now := t.now()
	lim := t.client(clientKey(r), now)
	if lim == nil {
		return authenticate()
	}
	// The unit is taken before the check and given back if the check
	// does not fail, so that concurrent guesses cannot overspend it.
	res := lim.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return waybill.Errorf(waybill.ERATELIMIT, "Too many failed authentications from your address; retry in %d seconds.", secs)
	}
	err := authenticate()
	if waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
		res.CancelAt(now)
	}
	return err
}

// client returns the limiter of key, making it when new; nil when the
// table is full.
func (t *AuthThrottle) client(key string, now time.Time) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if lim, ok := t.clients[key]; ok {
		return lim
	}
	if len(t.clients) >= maxThrottledClients || now.Sub(t.swept) > time.Minute {
		t.sweep(now)
	}
	if len(t.clients) >= maxThrottledClients {
		return nil
	}
	lim := rate.NewLimiter(t.limit, t.burst)
	t.clients[key] = lim
	return lim
}

// sweep forgets the addresses whose budget is full again.
func (t *AuthThrottle) sweep(now time.Time) {
	t.swept = now
	for k, lim := range t.clients {
		if lim.TokensAt(now) >= float64(t.burst) {
			delete(t.clients, k)
		}
	}
}

// clientKey is the request's peer address; an IPv6 address by its /64,
// which one client usually holds whole.
func clientKey(r *http.Request) string {
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
