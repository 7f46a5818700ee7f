package oauth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// Credential keys of a client-credentials connection.
const (
	CredClientID     = "client_id"
	CredClientSecret = "client_secret"
)

// Credentials are the client_id and client_secret of a client-credentials
// connection.
type Credentials struct{ ID, Secret string }

// ReadCredentials reads creds' CredClientID (spaces trimmed) and
// CredClientSecret. When either is missing the error is a
// *carrier.CredentialError whose reason is missing.
func ReadCredentials(creds map[string]string, missing string) (Credentials, error) {
	cr := Credentials{ID: strings.TrimSpace(creds[CredClientID]), Secret: creds[CredClientSecret]}
	if cr.ID == "" || cr.Secret == "" {
		return cr, &carrier.CredentialError{Reason: missing}
	}
	return cr, nil
}

// Send calls send with key's token (fetched with fetch when none is
// cached), and once more with a new token when the carrier answers the
// first call with 401: carriers refuse a token they expired early that
// way. It returns the carrier's last answer; a 401 to the second call is
// the caller's to report.
func (c *Cache) Send(ctx context.Context, key string, fetch Fetcher, send func(token string) (carrierhttp.Response, error)) (carrierhttp.Response, error) {
	var resp carrierhttp.Response
	err := c.Use(ctx, key, fetch, func(token string) (bool, error) {
		var err error
		resp, err = send(token)
		return err == nil && resp.Status == http.StatusUnauthorized, err
	})
	return resp, err
}

// TokenAnswer reads a token endpoint's answer the way the client-
// credentials carriers share: 200 is the token; 429 a
// *carrier.TemporaryError to retry after the answer's Retry-After or
// rateLimitWait; 408 and 5xx a *carrier.TemporaryError; 400, 401 and 403
// a *carrier.CredentialError naming the carrier (name) and its reason;
// anything else a plain error. reason is the carrier's explanation read
// from the answer's body.
func TokenAnswer(e carrierhttp.Endpoint, resp carrierhttp.Response, name, reason string, rateLimitWait time.Duration) (Token, error) {
	switch {
	case resp.Status == http.StatusOK:
		return ParseToken(resp.Body, e.Now())
	case resp.Status == http.StatusTooManyRequests:
		return Token{}, &carrier.TemporaryError{Reason: "token rate limited (HTTP 429): " + reason,
			RetryAfter: e.RetryWait(resp, rateLimitWait)}
	case resp.Status == http.StatusRequestTimeout || resp.Status >= 500:
		return Token{}, carrierhttp.Temporary(resp, e.Now(), "token: "+reason)
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status == http.StatusBadRequest:
		return Token{}, &carrier.CredentialError{Reason: name + ": " + reason}
	}
	return Token{}, fmt.Errorf("%s token: HTTP %d: %s", strings.ToLower(name), resp.Status, reason)
}

// Options configure a client-credentials connector. The zero value talks
// to the carrier's production host with a 30 s timeout, the real clock
// and the process's shared token cache.
type Options struct {
	BaseURL    string           // "" means the carrier's production host
	HTTPClient *http.Client     // nil means a client with carrierhttp.DefaultTimeout
	Now        func() time.Time // nil means time.Now
	// Tokens is where access tokens are cached; nil means Shared, shared
	// by every connector of the process.
	Tokens *Cache
}

// Endpoint is the endpoint and the token cache o configures, production
// being the carrier's production host.
func (o Options) Endpoint(production string) (carrierhttp.Endpoint, *Cache) {
	tokens := o.Tokens
	if tokens == nil {
		tokens = Shared
	}
	return carrierhttp.NewEndpoint(o.BaseURL, production, o.HTTPClient, o.Now), tokens
}
