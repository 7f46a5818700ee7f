package httpserver

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/sharedlimit"
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
	budgets *ClientLimits
	now     func() time.Time

	mu      sync.Mutex // orders admissions with the checks in flight
	pending map[string]*checksInFlight
}

// checksInFlight counts an address's authentications under way; done is
// closed when one of them ends.
type checksInFlight struct {
	n    int
	done chan struct{}
}

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
	return &AuthThrottle{budgets: NewClientLimits(rate.Limit(float64(perMinute)/60), perMinute), now: now,
		pending: map[string]*checksInFlight{}}
}

// Share keeps the budgets in Redis through shared, so that failures on
// any instance sharing it spend the address's one budget (see
// ClientLimits.Share and admit). Call it before use; nil t does nothing.
func (t *AuthThrottle) Share(shared *sharedlimit.Limiter) {
	if t != nil {
		t.budgets.Share(shared, "auth-failures")
	}
}

// Authenticate runs authenticate for the request unless its address has
// spent its budget, and returns authenticate's error. A refusal is an
// ERATELIMIT error, with Retry-After (seconds) set on w; the face writes
// it in its own envelope. An EUNAUTHORIZED error from authenticate spends
// one unit of the budget.
//
// Each check holds a unit while it runs, so that concurrent guesses cannot
// overspend the budget; it gives the unit back when it does not fail. A
// request that finds every unit held by checks still running waits for
// one of them to end instead of being refused, so that many concurrent
// requests with a good key from one address (a proxy, a busy client) all
// pass, as they would one by one.
func (t *AuthThrottle) Authenticate(w http.ResponseWriter, r *http.Request, authenticate func() error) error {
	if t == nil {
		return authenticate()
	}
	key := ClientKey(r)
	for {
		admitted, wait, running := t.admit(r.Context(), key)
		if admitted {
			return t.run(r.Context(), key, authenticate)
		}
		if running == nil {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			return waybill.Errorf(waybill.ERATELIMIT, "Too many failed authentications from your address; retry in %d seconds.", secs)
		}
		select {
		case <-running:
		case <-r.Context().Done():
			return waybill.Errorf(waybill.ERATELIMIT, "The request ended while waiting for authentication.")
		}
	}
}

// Refusal returns the refusal Authenticate would give the request's
// address now that its budget is spent (ERATELIMIT, with Retry-After set
// on w), or nil. It holds no unit and waits for no check: it is for a
// request that authenticates from memory, with a key that authenticated
// before, which cannot fail and so cannot spend the budget, but which an
// address that has spent it must not get through either.
//
// It reads this process's budget only, even when the budgets are shared
// (Share): it costs a request with a remembered key no Redis round trip,
// and guessing stays throttled everywhere, since an unknown key always
// goes through Authenticate, which reads the shared budget. An address
// that spent its budget on another instance is therefore refused here
// only for keys this instance does not remember.
func (t *AuthThrottle) Refusal(w http.ResponseWriter, r *http.Request) error {
	if t == nil {
		return nil
	}
	key := ClientKey(r)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	lim := t.budgets.bucket(key, now)
	if lim == nil {
		return nil
	}
	if free := lim.TokensAt(now); free < 1 {
		secs := int(math.Ceil((1 - free) / float64(lim.Limit())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return waybill.Errorf(waybill.ERATELIMIT, "Too many failed authentications from your address; retry in %d seconds.", secs)
	}
	return nil
}

// run runs an admitted check and settles it, panics included.
func (t *AuthThrottle) run(ctx context.Context, key string, authenticate func() error) (err error) {
	defer func() { t.settle(ctx, key, waybill.ErrorCode(err) == waybill.EUNAUTHORIZED) }()
	return authenticate()
}

// admit lets a check of key run when a unit of the budget is free: one not
// spent by failures nor held by a check under way. Otherwise wait is how
// long until a unit refills, and running, when checks of the address are
// under way, is closed when one of them ends. An address the table has no
// room for is admitted unlimited.
//
// With shared budgets (ClientLimits.Share) the units spent are read from
// Redis, before the lock, and the units held are this process's: checks
// under way on other instances at the same moment are not counted, so
// concurrent guesses spread over N instances may overspend by what each
// holds at once.
func (t *AuthThrottle) admit(ctx context.Context, key string) (admitted bool, wait time.Duration, running <-chan struct{}) {
	shared, isShared := t.budgets.take(ctx, key, 0)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	// This process's bucket, read under the lock, knows its own failures
	// exactly, also those settled since Redis was read: the lesser holds.
	lim := t.budgets.bucket(key, now)
	if lim == nil && !isShared {
		return true, 0, nil
	}
	tokens := shared.Tokens
	if lim != nil && (!isShared || lim.TokensAt(now) < tokens) {
		tokens = lim.TokensAt(now)
	}
	p := t.pending[key]
	held := 0
	if p != nil {
		held = p.n
	}
	if free := tokens - float64(held); free >= 1 {
		if p == nil {
			p = &checksInFlight{done: make(chan struct{})}
			t.pending[key] = p
		}
		p.n++
		return true, 0, nil
	} else if p != nil {
		return false, 0, p.done
	} else {
		return false, time.Duration((1 - free) / float64(t.budgets.limit) * float64(time.Second)), nil
	}
}

// settle ends a check: a failure spends its unit (free since admit held
// it), and the requests waiting on the address try again.
func (t *AuthThrottle) settle(ctx context.Context, key string, failed bool) {
	if failed {
		// Spent after the check has ended, whatever became of its request.
		ctx = context.WithoutCancel(ctx)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if failed {
		t.budgets.spend(ctx, key, t.now())
	}
	p := t.pending[key]
	if p == nil { // admitted while the table was full
		return
	}
	close(p.done)
	if p.n--; p.n == 0 {
		delete(t.pending, key)
	} else {
		p.done = make(chan struct{})
	}
}
