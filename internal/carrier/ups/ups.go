// Package ups is the UPS Track API connector: OAuth 2 client credentials
// (client_id, client_secret, optional account_number), one number per
// call (GET /api/track/v1/details/{number}), UPS's activity codes mapped
// to AfterShip tags by a table of its own (statusTable). See
// docs/COURIERS.md for the mapping and UPS's quirks.
package ups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
)

// ProductionURL is UPS's production host; UPS's test host (CIE) is
// https://wwwcie.ups.com.
const ProductionURL = "https://onlinetools.ups.com"

// Credential keys of a UPS connection.
const (
	CredClientID      = oauth.CredClientID
	CredClientSecret  = oauth.CredClientSecret
	CredAccountNumber = "account_number" // optional, sent as x-merchant-id
)

// RateLimitWait is how long a 429 delays the connection: UPS answers 429
// without Retry-After or any rate header.
const RateLimitWait = time.Minute

// Options configure a connector. The zero value talks to production with
// a 30 s timeout and the real clock.
type Options struct {
	BaseURL    string           // "" means ProductionURL
	HTTPClient *http.Client     // nil means a client with carrierhttp.DefaultTimeout
	Now        func() time.Time // nil means time.Now
	// Tokens is where access tokens are cached; nil means oauth.Shared,
	// shared by every connector of the process.
	Tokens *oauth.Cache
	// TransactionSource is sent as UPS's transactionSrc header; "" means
	// "waybill".
	TransactionSource string
}

// Connector speaks the UPS Track API. It is safe for concurrent use.
type Connector struct {
	ep     carrierhttp.Endpoint
	tokens *oauth.Cache
	source string
}

var (
	_ carrier.Connector         = (*Connector)(nil)
	_ carrier.CredentialChecker = (*Connector)(nil)
)

// New returns a UPS connector.
func New(o Options) *Connector {
	ep, tokens := oauth.Options{BaseURL: o.BaseURL, HTTPClient: o.HTTPClient, Now: o.Now, Tokens: o.Tokens}.Endpoint(ProductionURL)
	c := &Connector{ep: ep, tokens: tokens, source: o.TransactionSource}
	if c.source == "" {
		c.source = "waybill"
	}
	return c
}

// DefaultRate is the request rate a connection should keep to. UPS
// publishes no numeric limit (it answers 429 when it wants less); these
// are Waybill's conservative defaults: 5 calls a second, bursts of 10.
func (c *Connector) DefaultRate() (perSecond float64, burst int) { return 5, 10 }

// credentials are a UPS connection's client credentials and the
// optional account number its tokens are asked for.
type credentials struct {
	oauth.Credentials
	account string
}

func readCredentials(m map[string]string) (credentials, error) {
	cr, err := oauth.ReadCredentials(m, "UPS needs client_id and client_secret")
	return credentials{Credentials: cr, account: strings.TrimSpace(m[CredAccountNumber])}, err
}

func (cr credentials) key(base string) string {
	return oauth.Key(base, cr.ID+"\x00"+cr.account, cr.Secret)
}

// CheckCredentials asks UPS for a token with creds: nil when UPS grants
// one, a *carrier.CredentialError with UPS's reason when it refuses them.
func (c *Connector) CheckCredentials(ctx context.Context, creds map[string]string) error {
	cr, err := readCredentials(creds)
	if err != nil {
		return err
	}
	_, err = c.requestToken(ctx, cr)
	return err
}

// Fetch asks UPS about one number. A number UPS does not know (a 200
// with warning TW0001, a 404, or an invalid-number 400) is
// carrier.ErrNotFound; a 429 or 5xx is a *carrier.TemporaryError; a
// refused token is refreshed once.
func (c *Connector) Fetch(ctx context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	cr, err := readCredentials(req.Credentials)
	if err != nil {
		return carrier.FetchResult{}, err
	}
	fetch := func(ctx context.Context) (oauth.Token, error) { return c.requestToken(ctx, cr) }
	resp, err := c.tokens.Send(ctx, cr.key(c.ep.Base), fetch, func(token string) (carrierhttp.Response, error) {
		return c.track(ctx, token, req.TrackingNumber)
	})
	if err != nil {
		return carrier.FetchResult{}, fmt.Errorf("ups: %w", err)
	}
	return c.interpret(resp, req.TrackingNumber)
}

func (c *Connector) track(ctx context.Context, token, number string) (carrierhttp.Response, error) {
	u := c.ep.Base + "/api/track/v1/details/" + url.PathEscape(number) +
		"?locale=en_US&returnSignature=false&returnMilestones=false&returnPOD=false"
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return carrierhttp.Response{}, fmt.Errorf("ups track request: %w", err)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("transId", transactionID())
	r.Header.Set("transactionSrc", c.source)
	return carrierhttp.Do(ctx, c.ep.Client, r)
}

// interpret turns a tracking answer into a result or an error.
func (c *Connector) interpret(resp carrierhttp.Response, number string) (carrier.FetchResult, error) {
	switch {
	case resp.Status == http.StatusOK:
		res, err := ParseTrack(resp.Body, number)
		if err != nil && !errors.Is(err, carrier.ErrNotFound) {
			return res, fmt.Errorf("ups track %s: %w", number, err)
		}
		return res, err
	case resp.Status == http.StatusTooManyRequests:
		return carrier.FetchResult{}, &carrier.TemporaryError{Reason: "rate limited (HTTP 429): " + errorReason(resp.Body),
			RetryAfter: c.ep.RetryWait(resp, RateLimitWait)}
	}
	if err := carrierhttp.Temporary(resp, c.ep.Now(), errorReason(resp.Body)); err != nil {
		return carrier.FetchResult{}, err
	}
	reason := errorReason(resp.Body)
	switch resp.Status {
	case http.StatusNotFound:
		return carrier.FetchResult{}, fmt.Errorf("ups track: %s: %w", reason, carrier.ErrNotFound)
	case http.StatusBadRequest:
		if errorCode(resp.Body) == "TV1002" {
			return carrier.FetchResult{}, fmt.Errorf("ups track: %s: %w", reason, carrier.ErrNotFound)
		}
	case http.StatusUnauthorized:
		return carrier.FetchResult{}, fmt.Errorf("ups track: a fresh token was refused: %s", reason)
	}
	return carrier.FetchResult{}, fmt.Errorf("ups track: HTTP %d: %s", resp.Status, reason)
}

// requestToken asks UPS for a token (Basic auth, client credentials).
func (c *Connector) requestToken(ctx context.Context, cr credentials) (oauth.Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	r, err := http.NewRequest(http.MethodPost, c.ep.Base+"/security/v1/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return oauth.Token{}, fmt.Errorf("ups token request: %w", err)
	}
	r.SetBasicAuth(cr.ID, cr.Secret)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	if cr.account != "" {
		r.Header.Set("x-merchant-id", cr.account)
	}
	resp, err := carrierhttp.Do(ctx, c.ep.Client, r)
	if err != nil {
		return oauth.Token{}, err
	}
	return oauth.TokenAnswer(c.ep, resp, "UPS", errorReason(resp.Body), RateLimitWait)
}

// transactionID is a unique transId header value.
func transactionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
