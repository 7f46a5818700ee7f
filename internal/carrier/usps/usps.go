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
	CredClientID     = oauth.CredClientID
	CredClientSecret = oauth.CredClientSecret
)

// Scope is the OAuth scope tracking calls need; USPS grants it per app.
const Scope = "tracking"

// MaxBatch is the most numbers of one v3r2 call.
const MaxBatch = 35

// RateLimitWait is how long a 429 without Retry-After delays the
// connection: USPS's quota counts calls per hour.
const RateLimitWait = time.Minute

// Options configure a connector; BaseURL "" means ProductionURL.
type Options = oauth.Options

// Connector speaks USPS Tracking v3 and v3r2. It is safe for concurrent
// use.
type Connector struct {
	ep     carrierhttp.Endpoint
	tokens *oauth.Cache
}

var (
	_ carrier.BatchConnector    = (*Connector)(nil)
	_ carrier.CredentialChecker = (*Connector)(nil)
)

// New returns a USPS connector.
func New(o Options) *Connector {
	ep, tokens := o.Endpoint(ProductionURL)
	return &Connector{ep: ep, tokens: tokens}
}

// DefaultRate is the request rate a connection should keep to: USPS's
// default quota of 60 calls an hour across its v3 APIs, token calls
// included, in bursts of at most 5.
func (c *Connector) DefaultRate() (perSecond float64, burst int) { return 60.0 / 3600, 5 }

// MaxBatch is the most numbers of one v3r2 call (35).
func (c *Connector) MaxBatch() int { return MaxBatch }

func readCredentials(m map[string]string) (oauth.Credentials, error) {
	return oauth.ReadCredentials(m, "USPS needs client_id and client_secret")
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
	u := c.ep.Base + "/tracking/v3/tracking/" + url.PathEscape(req.TrackingNumber) + "?expand=DETAIL"
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
			r, err := http.NewRequest(http.MethodPost, c.ep.Base+"/tracking/v3r2/tracking", bytes.NewReader(body))
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
func (c *Connector) authorized(ctx context.Context, cr oauth.Credentials, build func(token string) (*http.Request, error)) (carrierhttp.Response, error) {
	fetch := func(ctx context.Context) (oauth.Token, error) { return c.requestToken(ctx, cr) }
	resp, err := c.tokens.Send(ctx, oauth.Key(c.ep.Base, cr.ID, cr.Secret), fetch, func(token string) (carrierhttp.Response, error) {
		r, err := build(token)
		if err != nil {
			return carrierhttp.Response{}, fmt.Errorf("usps request: %w", err)
		}
		return carrierhttp.Do(ctx, c.ep.Client, r)
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
			RetryAfter: c.ep.RetryWait(resp, RateLimitWait)}
	}
	if err := carrierhttp.Temporary(resp, c.ep.Now(), reason); err != nil {
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
func (c *Connector) requestToken(ctx context.Context, cr oauth.Credentials) (oauth.Token, error) {
	body, err := json.Marshal(map[string]string{"client_id": cr.ID, "client_secret": cr.Secret,
		"grant_type": "client_credentials", "scope": Scope})
	if err != nil {
		return oauth.Token{}, fmt.Errorf("usps token request: %w", err)
	}
	r, err := http.NewRequest(http.MethodPost, c.ep.Base+"/oauth2/v3/token", bytes.NewReader(body))
	if err != nil {
		return oauth.Token{}, fmt.Errorf("usps token request: %w", err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	resp, err := carrierhttp.Do(ctx, c.ep.Client, r)
	if err != nil {
		return oauth.Token{}, err
	}
	if resp.Status == http.StatusOK {
		if scope, ok := grantedScope(resp.Body); ok && !hasScope(scope, Scope) {
			return oauth.Token{}, &carrier.CredentialError{Reason: fmt.Sprintf("USPS: the app is not granted the %q scope (granted: %s)",
				Scope, carrierhttp.Reason(scope))}
		}
	}
	return oauth.TokenAnswer(c.ep, resp, "USPS", errorReason(resp.Body), RateLimitWait)
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
