package aftership

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Trackings is what the face needs of the tracking core. Inputs and filters
// are the core's types (package waybill), which validate themselves: the
// face translates AfterShip's wire format into them and decides nothing.
type Trackings interface {
	Create(ctx context.Context, orgID int64, in waybill.CreateTrackingInput) (waybill.Tracking, error)
	Get(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)
	// GetAtKeyGeneration is Get with the API key generation read in the same snapshot.
	GetAtKeyGeneration(ctx context.Context, orgID int64, id string) (waybill.Tracking, int64, error)
	// CreateClaimed is Create for a key remembered under the API key
	// generation gen: committed at gen without authenticate, else made
	// after authenticate for the organization it returns, its error first.
	CreateClaimed(ctx context.Context, orgID int64, in waybill.CreateTrackingInput, gen int64, authenticate func() (int64, error)) (waybill.Tracking, error)
	GetByNumber(ctx context.Context, orgID int64, slug, number string) (waybill.Tracking, error)
	List(ctx context.Context, orgID int64, f waybill.TrackingFilter) (waybill.TrackingPage, error)
	Update(ctx context.Context, orgID int64, id string, in waybill.UpdateTrackingInput) (waybill.Tracking, error)
	Delete(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)
	Retrack(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)
	MarkCompleted(ctx context.Context, orgID int64, id, reason string) (waybill.Tracking, error)
	AddNotifications(ctx context.Context, orgID int64, id string, n waybill.TrackingNotifications) (waybill.Tracking, error)
	RemoveNotifications(ctx context.Context, orgID int64, id string, n waybill.TrackingNotifications) (waybill.Tracking, error)
	Detect(ctx context.Context, orgID int64, number, group string, hints courier.Hints) ([]tracking.Candidate, error)
	Activated(ctx context.Context, orgID int64) ([]courier.Courier, error)
	CreateConnection(ctx context.Context, orgID int64, slug string, creds map[string]string) (waybill.CourierConnection, error)
	UpdateConnection(ctx context.Context, orgID int64, id string, creds map[string]string) (waybill.CourierConnection, error)
	Connection(ctx context.Context, orgID int64, id string) (waybill.CourierConnection, error)
	DeleteConnection(ctx context.Context, orgID int64, id string) (waybill.CourierConnection, error)
	ListConnections(ctx context.Context, orgID int64, slug string, limit int, before int64) ([]waybill.CourierConnection, int, int64, error)
}

// Authenticator resolves an API key to its organization.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (waybill.Organization, error)
}

// keyClaims is what an Authenticator may offer besides (tenant.Service
// does): the organization of a key remembered in memory, with the key
// generation it holds under, for a read that confirms that generation in
// its own statement (readHandler). Without it every request authenticates.
type keyClaims interface {
	CachedKey(key string) (org waybill.Organization, gen int64, ok bool)
	Confirmed(ctx context.Context, org waybill.Organization)
}

// readHandler serves a read for org in one statement that also reads the
// key generation; it serves (and returns true) only when that generation
// is gen, and otherwise writes nothing and returns false, whatever went
// wrong: the request then authenticates and runs its handler as usual.
type readHandler func(w http.ResponseWriter, r *http.Request, org waybill.Organization, gen int64) bool

// API serves both AfterShip generations.
type API struct {
	Trackings    Trackings
	Auth         Authenticator
	Limits       *RateLimiter
	LegacyRate   float64 // v4 requests per second per key (AfterShip: 10)
	MaxBodyBytes int64
	PublicURL    string
	Logger       *slog.Logger
	// AuthThrottle limits failed authentications per client address (nil:
	// no limit); it is shared by every face.
	AuthThrottle *httpserver.AuthThrottle
	// EDD answers the estimated-delivery-date predictions; nil answers
	// them with 404.
	EDD Predictor

	renderedV4 *renderedV4s // the v4 get's rendered bodies; set by Register
}

// Register adds every AfterShip route to mux.
func (a *API) Register(mux *http.ServeMux) {
	a.registerV4(mux)
	a.registerDated(mux)
	a.registerEDD(mux)
}

// handler is an AfterShip handler: it runs with the caller's organization
// and either writes its success response or returns an error, which its
// generation's error writer (writeErrorV4, writeErrorDated) renders. A
// handler never writes an error itself, and writes nothing when it returns
// one.
type handler func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error

// errorWriter renders an error in one generation's envelope.
type errorWriter func(w http.ResponseWriter, r *http.Request, err error)

// guard authenticates the request with the headers the generation accepts,
// applies the rate limit of the endpoint, sets the rate-limit headers on
// every response, runs h, and renders any error (its own or h's) with
// writeErr: the one place where a generation's errors meet its envelope.
func (a *API) guard(headers []string, endpoint string, perSecond float64, writeErr errorWriter, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.authorize(w, r, headers, endpoint, perSecond, h); err != nil {
			writeErr(w, r, err)
		}
	}
}

// authorize runs h for the organization of the request's key, within the
// endpoint's rate limit.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, headers []string, endpoint string, perSecond float64, h handler) error {
	key := httpserver.APIKey(r, headers...)
	// The limit is taken before authentication, keyed by the key as
	// presented (or the client address), so that every response carries
	// the X-RateLimit-* headers and guessing keys is throttled too.
	limitKey := key
	if limitKey == "" {
		limitKey = "addr:" + clientHost(r)
	}
	if !a.Limits.Allow(r.Context(), w.Header(), limitKey, endpoint, perSecond) {
		return waybill.Errorf(waybill.ERATELIMIT, "You have exceeded the API call rate limit. The limit is %g requests per second.", perSecond*a.Limits.Scale)
	}
	var org waybill.Organization
	err := a.AuthThrottle.Authenticate(w, r, func() (err error) {
		if key == "" {
			return waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid API key.")
		}
		org, err = a.Auth.Authenticate(r.Context(), key)
		return err
	})
	if err != nil {
		return err
	}
	return h(w, r, org)
}

// authorizeRead is authorize for a read that can confirm a remembered key
// itself (readHandler): a key the Authenticator remembers skips the key
// generation's read, and fast serves the request with the generation it
// reads in the same statement as the data. When fast does not serve (the
// generation moved on: a key changed or was revoked; no such tracking;
// any error), the request goes through authorize and h, as any other.
func (a *API) authorizeRead(w http.ResponseWriter, r *http.Request, headers []string, endpoint string, perSecond float64, fast readHandler, h handler) error {
	claims, key, org, gen, remembered, err := a.rememberedKey(w, r, headers, endpoint, perSecond)
	if err != nil {
		return err
	}
	if !remembered {
		return a.authorize(w, r, headers, endpoint, perSecond, h)
	}
	if fast(w, r, org, gen) {
		claims.Confirmed(r.Context(), org)
		return nil
	}
	// The rate limit is taken: authenticate without taking it again.
	err = a.AuthThrottle.Authenticate(w, r, func() (err error) {
		org, err = a.Auth.Authenticate(r.Context(), key)
		return err
	})
	if err != nil {
		return err
	}
	return h(w, r, org)
}

// rememberedKey takes the request's key as the Authenticator remembers
// it (keyClaims.CachedKey): its organization and the key generation it
// authenticated under, not yet confirmed. When the key is remembered it
// also takes the rate limit and refuses an address that spent its budget
// of failed authentications (err); remembered is false when the key is
// absent or not remembered, and then nothing was taken: the caller
// authorizes as any other request.
func (a *API) rememberedKey(w http.ResponseWriter, r *http.Request, headers []string, endpoint string, perSecond float64) (claims keyClaims, key string, org waybill.Organization, gen int64, remembered bool, err error) {
	claims, ok := a.Auth.(keyClaims)
	key = httpserver.APIKey(r, headers...)
	if !ok || key == "" {
		return nil, "", org, 0, false, nil
	}
	if org, gen, ok = claims.CachedKey(key); !ok {
		return nil, "", org, 0, false, nil
	}
	if !a.Limits.Allow(r.Context(), w.Header(), key, endpoint, perSecond) {
		return nil, "", org, 0, false, waybill.Errorf(waybill.ERATELIMIT, "You have exceeded the API call rate limit. The limit is %g requests per second.", perSecond*a.Limits.Scale)
	}
	// An address that spent its budget of failed authentications is
	// refused whatever key it presents, a remembered one included.
	if err := a.AuthThrottle.Refusal(w, r); err != nil {
		return nil, "", org, 0, false, err
	}
	return claims, key, org, gen, true, nil
}

// claimedHandler serves a write for org, which a remembered key claims
// under key generation gen (tenant.Service.CachedKey) without that being
// confirmed yet. It writes only in a transaction that reads gen itself
// (tracking.Service.CreateClaimed), and shows nothing but that
// write's success before it has called authenticate: an error, its own
// or a refused write's, waits for authenticate, which authenticates the
// key as authorize does and returns its organization or the error to
// return instead.
type claimedHandler func(w http.ResponseWriter, r *http.Request, org waybill.Organization, gen int64, authenticate func() (waybill.Organization, error)) error

// authorizeClaimed is authorize for a write that can confirm a
// remembered key in its own transaction (claimedHandler): a key the
// Authenticator remembers skips the key generation's read. Any other
// request goes through authorize and h.
func (a *API) authorizeClaimed(w http.ResponseWriter, r *http.Request, headers []string, endpoint string, perSecond float64, claimed claimedHandler, h handler) error {
	claims, key, org, gen, remembered, err := a.rememberedKey(w, r, headers, endpoint, perSecond)
	if err != nil {
		return err
	}
	if !remembered {
		return a.authorize(w, r, headers, endpoint, perSecond, h)
	}
	authenticated := false
	authenticate := func() (waybill.Organization, error) {
		// The rate limit is taken: authenticate without taking it again.
		var org waybill.Organization
		err := a.AuthThrottle.Authenticate(w, r, func() (err error) {
			org, err = a.Auth.Authenticate(r.Context(), key)
			return err
		})
		authenticated = err == nil
		return org, err
	}
	err = claimed(w, r, org, gen, authenticate)
	if err == nil && !authenticated {
		claims.Confirmed(r.Context(), org)
	}
	return err
}

func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decode reads a JSON body of at most MaxBodyBytes into v. A body over the
// limit gives ETOOLARGE; one that is not JSON of the right shape gives
// EINVALID with ReasonInvalidJSON (AfterShip's 4001).
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return waybill.Invalid(waybill.ReasonInvalidJSON, "Invalid JSON data.")
	}
	return nil
}
