package httpserver

import (
	"math"
	"net/http"
	"strconv"
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
	budgets *ClientLimits
	now     func() time.Time
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
	return &AuthThrottle{budgets: NewClientLimits(rate.Limit(float64(perMinute)/60), perMinute), now: now}
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
	lim := t.budgets.bucket(ClientKey(r), now)
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
