// Package usps is the USPS Tracking v3 connector: OAuth 2 client
// credentials with the "tracking" scope, the single-number GET of v3
// (/tracking/v3/tracking/{number}?expand=DETAIL) and the batch POST of
// v3r2 (/tracking/v3r2/tracking, 35 numbers a call), USPS's event codes
// mapped to AfterShip tags by a table of its own (statusTable). See
// docs/COURIERS.md for the mapping and USPS's quirks.
package usps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
)

// ProductionURL is USPS's production host; its test host is
// https://apis-tem.usps.com.
const ProductionURL = "https://apis.usps.com"

// Credential keys of a USPS connection.
const (
	CredClientID     = "client_id"
	CredClientSecret = "client_secret"
)

// Scope is the OAuth scope tracking calls need; USPS grants it per app.
const Scope = "tracking"

// MaxBatch is the most numbers of one v3r2 call.
const MaxBatch = 35

// RateLimitWait is how long a 429 without Retry-After delays the
// connection: USPS's quota counts calls per hour.
const RateLimitWait = time.Minute

// Options configure a connector. The zero value talks to production with
// a 30 s timeout and the real clock.
type Options struct {
	BaseURL    string           // "" means ProductionURL
	HTTPClient *http.Client     // nil means a client with carrierhttp.DefaultTimeout
	Now        func() time.Time // nil means time.Now
	// Tokens is where access tokens are cached; nil means oauth.Shared.
	Tokens *oauth.Cache
}

// Connector speaks USPS Tracking v3 and v3r2. It is safe for concurrent
// use.
type Connector struct {
	base   string
	client *http.Client
	now    func() time.Time
	tokens *oauth.Cache
}

var (
	_ carrier.BatchConnector    = (*Connector)(nil)
	_ carrier.CredentialChecker = (*Connector)(nil)
)

// New returns a USPS connector.
func New(o Options) *Connector {
	c := &Connector{base: strings.TrimRight(o.BaseURL, "/"), client: carrierhttp.Client(o.HTTPClient), now: o.Now, tokens: o.Tokens}
	if c.base == "" {
		c.base = ProductionURL
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.tokens == nil {
		c.tokens = oauth.Shared
	}
	return c
}

// DefaultRate is the request rate a connection should keep to: USPS's
// default quota of 60 calls an hour across its v3 APIs, token calls
// included, in bursts of at most 5.
func (c *Connector) DefaultRate() (perSecond float64, burst int) { return 60.0 / 3600, 5 }

// MaxBatch is the most numbers of one v3r2 call (35).
func (c *Connector) MaxBatch() int { return MaxBatch }

type credentials struct{ id, secret string }

func readCredentials(m map[string]string) (credentials, error) {
	cr := credentials{id: strings.TrimSpace(m[CredClientID]), secret: m[CredClientSecret]}
	if cr.id == "" || cr.secret == "" {
		return cr, &carrier.CredentialError{Reason: "USPS needs client_id and client_secret"}
	}
	return cr, nil
}

// CheckCredentials asks USPS for a token with creds: nil when USPS grants
// one with the tracking scope; a *carrier.CredentialError with USPS's
// reason when it refuses them, or when the app lacks the tracking scope
// (every tracking call would then be refused).
func (c *Connector) CheckCredentials(ctx context.Context, creds map[string]string) error {
	cr, err := readCredentials(creds)
	if err != nil {
		return err
	}
	_, err = c.requestToken(ctx, cr)
	return err
}

// Fetch asks USPS about one number with the v3 GET. A number USPS does
// not know (404 "Tracking is not available …") is carrier.ErrNotFound.
func (c *Connector) Fetch(ctx context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	cr, err := readCredentials(req.Credentials)
	if err != nil {
		return carrier.FetchResult{}, err
	}
	u := c.base + "/tracking/v3/tracking/" + url.PathEscape(req.TrackingNumber) + "?expand=DETAIL"
	resp, err := c.authorized(ctx, cr, func(token string) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err == nil {
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Accept", "application/json")
		}
		return r, err
	})
	if err != nil {
		return carrier.FetchResult{}, err
	}
	if resp.Status != http.StatusOK {
		return carrier.FetchResult{}, c.callError(resp)
	}
	res, err := ParseTracking(resp.Body, req.TrackingNumber)
	if err != nil {
		return carrier.FetchResult{}, fmt.Errorf("usps track %s: %w", req.TrackingNumber, err)
	}
	return res, nil
}

// FetchBatch asks USPS about numbers with the v3r2 POST, 35 per call,
// each call with the credentials of its requests. It returns one result
// per request, in order, a number USPS does not know being
// carrier.ErrNotFound in its own result (USPS answers 207 when some
// numbers fail). An error of a whole call is returned as err.
func (c *Connector) FetchBatch(ctx context.Context, reqs []carrier.FetchRequest) ([]carrier.BatchResult, error) {
	out := make([]carrier.BatchResult, len(reqs))
	for _, group := range carrierhttp.GroupByCredentials(reqs, MaxBatch) {
		cr, err := readCredentials(reqs[group[0]].Credentials)
		if err != nil {
			return nil, err
		}
		numbers := make([]string, len(group))
		items := make([]map[string]string, len(group))
		for i, idx := range group {
			numbers[i] = reqs[idx].TrackingNumber
			items[i] = map[string]string{"trackingNumber": numbers[i]}
		}
		body, err := json.Marshal(items)
		if err != nil {
			return nil, fmt.Errorf("usps batch request: %w", err)
		}
		resp, err := c.authorized(ctx, cr, func(token string) (*http.Request, error) {
			r, err := http.NewRequest(http.MethodPost, c.base+"/tracking/v3r2/tracking", bytes.NewReader(body))
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Accept", "application/json")
			}
			return r, err
		})
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK && resp.Status != http.StatusMultiStatus {
			return nil, c.callError(resp)
		}
		results, err := ParseBatch(resp.Body, numbers)
		if err != nil {
			return nil, fmt.Errorf("usps batch: %w", err)
		}
		for i, idx := range group {
			out[idx] = results[i]
		}
	}
	return out, nil
}

// authorized sends the request build makes with the connection's token,
// and again with a new token after a 401.
func (c *Connector) authorized(ctx context.Context, cr credentials, build func(token string) (*http.Request, error)) (carrierhttp.Response, error) {
	var resp carrierhttp.Response
	fetch := func(ctx context.Context) (oauth.Token, error) { return c.requestToken(ctx, cr) }
	err := c.tokens.Use(ctx, oauth.Key(c.base, cr.id, cr.secret), fetch, func(token string) (bool, error) {
		r, err := build(token)
		if err != nil {
			return false, fmt.Errorf("usps request: %w", err)
		}
		resp, err = carrierhttp.Do(ctx, c.client, r)
		return err == nil && resp.Status == http.StatusUnauthorized, err
	})
	if err != nil {
		return carrierhttp.Response{}, fmt.Errorf("usps: %w", err)
	}
	return resp, nil
}

// callError is the error of a tracking call that did not succeed.
func (c *Connector) callError(resp carrierhttp.Response) error {
	reason := errorReason(resp.Body)
	if resp.Status == http.StatusTooManyRequests {
		return &carrier.TemporaryError{Reason: "rate limited (HTTP 429): " + reason,
			RetryAfter: c.rateLimitWait(resp)}
	}
	if err := carrierhttp.Temporary(resp, c.now(), reason); err != nil {
		return err
	}
	switch resp.Status {
	case http.StatusNotFound:
		return fmt.Errorf("usps track: %s: %w", reason, carrier.ErrNotFound)
	case http.StatusUnauthorized:
		return fmt.Errorf("usps track: a fresh token was refused (does the app have the %q scope?): %s", Scope, reason)
	}
	return fmt.Errorf("usps track: HTTP %d: %s", resp.Status, reason)
}

// requestToken asks USPS for a token (JSON client credentials) and
// refuses one without the tracking scope.
func (c *Connector) requestToken(ctx context.Context, cr credentials) (oauth.Token, error) {
	body, err := json.Marshal(map[string]string{"client_id": cr.id, "client_secret": cr.secret,
		"grant_type": "client_credentials", "scope": Scope})
	if err != nil {
		return oauth.Token{}, fmt.Errorf("usps token request: %w", err)
	}
	r, err := http.NewRequest(http.MethodPost, c.base+"/oauth2/v3/token", bytes.NewReader(body))
	if err != nil {
		return oauth.Token{}, fmt.Errorf("usps token request: %w", err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	resp, err := carrierhttp.Do(ctx, c.client, r)
	if err != nil {
		return oauth.Token{}, err
	}
	reason := errorReason(resp.Body)
	switch {
	case resp.Status == http.StatusOK:
		if scope, ok := grantedScope(resp.Body); ok && !hasScope(scope, Scope) {
			return oauth.Token{}, &carrier.CredentialError{Reason: fmt.Sprintf("USPS: the app is not granted the %q scope (granted: %s)",
				Scope, carrierhttp.Reason(scope))}
		}
		return oauth.ParseToken(resp.Body, c.now())
	case resp.Status == http.StatusTooManyRequests:
		return oauth.Token{}, &carrier.TemporaryError{Reason: "token rate limited (HTTP 429): " + reason,
			RetryAfter: c.rateLimitWait(resp)}
	case resp.Status == http.StatusRequestTimeout || resp.Status >= 500:
		return oauth.Token{}, carrierhttp.Temporary(resp, c.now(), "token: "+reason)
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status == http.StatusBadRequest:
		return oauth.Token{}, &carrier.CredentialError{Reason: "USPS: " + reason}
	}
	return oauth.Token{}, fmt.Errorf("usps token: HTTP %d: %s", resp.Status, reason)
}

// grantedScope is the scope of a token answer; ok is false when the
// answer does not say.
func grantedScope(body []byte) (string, bool) {
	var t struct {
		Scope *string `json:"scope"`
	}
	if json.Unmarshal(body, &t) != nil || t.Scope == nil {
		return "", false
	}
	return *t.Scope, true
}

func hasScope(granted, want string) bool {
	for _, s := range strings.Fields(granted) {
		if s == want {
			return true
		}
	}
	return false
}

// rateLimitWait is USPS's Retry-After, or RateLimitWait when it gives
// none.
func (c *Connector) rateLimitWait(resp carrierhttp.Response) time.Duration {
	if wait := carrierhttp.RetryAfter(resp.Header, c.now()); wait > 0 {
		return wait
	}
	return RateLimitWait
}
