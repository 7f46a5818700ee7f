// Package fedex is the FedEx Track API connector: OAuth 2 client
// credentials (client_id is the API key, client_secret the secret key),
// up to 30 numbers per call (POST /track/v1/trackingnumbers), FedEx's
// scan codes mapped to AfterShip tags by a table of its own
// (statusTable). See docs/COURIERS.md for the mapping and FedEx's quirks.
package fedex

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

// ProductionURL is FedEx's production host; its sandbox is
// https://apis-sandbox.fedex.com.
const ProductionURL = "https://apis.fedex.com"

// Credential keys of a FedEx connection.
const (
	CredClientID     = oauth.CredClientID     // the project's API key
	CredClientSecret = oauth.CredClientSecret // its secret key
)

// MaxBatch is the most numbers FedEx takes in one call.
const MaxBatch = 30

// RateLimitWait is how long a 429 without Retry-After delays the
// connection: FedEx counts requests in 10-second windows.
const RateLimitWait = 10 * time.Second

// Options configure a connector; BaseURL "" means ProductionURL.
type Options = oauth.Options

// Connector speaks the FedEx Track API. It is safe for concurrent use.
type Connector struct {
	ep     carrierhttp.Endpoint
	tokens *oauth.Cache
}

var (
	_ carrier.BatchConnector    = (*Connector)(nil)
	_ carrier.CredentialChecker = (*Connector)(nil)
)

// New returns a FedEx connector.
func New(o Options) *Connector {
	ep, tokens := o.Endpoint(ProductionURL)
	return &Connector{ep: ep, tokens: tokens}
}

// DefaultRate is the request rate a connection should keep to: FedEx's
// default Track quota of 100,000 calls a day (1.15 a second), in bursts
// of at most 30 calls (its window allows 1,400 per 10 seconds).
func (c *Connector) DefaultRate() (perSecond float64, burst int) { return 100000.0 / 86400, 30 }

// MaxBatch is the most numbers of one call (30).
func (c *Connector) MaxBatch() int { return MaxBatch }

func readCredentials(m map[string]string) (oauth.Credentials, error) {
	return oauth.ReadCredentials(m, "FedEx needs client_id (API key) and client_secret (secret key)")
}

// CheckCredentials asks FedEx for a token with creds: nil when FedEx
// grants one, a *carrier.CredentialError with FedEx's reason when it
// refuses them.
func (c *Connector) CheckCredentials(ctx context.Context, creds map[string]string) error {
	cr, err := readCredentials(creds)
	if err != nil {
		return err
	}
	_, err = c.requestToken(ctx, cr)
	return err
}

// Fetch asks FedEx about one number (FetchBatch of one).
func (c *Connector) Fetch(ctx context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	res, err := c.FetchBatch(ctx, []carrier.FetchRequest{req})
	if err != nil {
		return carrier.FetchResult{}, err
	}
	return res[0].Result, res[0].Err
}

// FetchBatch asks FedEx about numbers, 30 per call, each call with the
// credentials of its requests. It returns one result per request, in
// order: a number FedEx does not know is carrier.ErrNotFound in its own
// result (FedEx says so inside a 200). An error of a whole call (refused
// credentials, 429, 5xx) is returned as err.
func (c *Connector) FetchBatch(ctx context.Context, reqs []carrier.FetchRequest) ([]carrier.BatchResult, error) {
	out := make([]carrier.BatchResult, len(reqs))
	for _, group := range carrierhttp.GroupByCredentials(reqs, MaxBatch) {
		cr, err := readCredentials(reqs[group[0]].Credentials)
		if err != nil {
			return nil, err
		}
		numbers := make([]string, len(group))
		for i, idx := range group {
			numbers[i] = reqs[idx].TrackingNumber
		}
		results, err := c.call(ctx, cr, numbers)
		if err != nil {
			return nil, err
		}
		for i, idx := range group {
			out[idx] = results[i]
		}
	}
	return out, nil
}

// call makes one tracking call for numbers (at most MaxBatch).
func (c *Connector) call(ctx context.Context, cr oauth.Credentials, numbers []string) ([]carrier.BatchResult, error) {
	fetch := func(ctx context.Context) (oauth.Token, error) { return c.requestToken(ctx, cr) }
	resp, err := c.tokens.Send(ctx, oauth.Key(c.ep.Base, cr.ID, cr.Secret), fetch, func(token string) (carrierhttp.Response, error) {
		return c.track(ctx, token, numbers)
	})
	if err != nil {
		return nil, fmt.Errorf("fedex: %w", err)
	}
	if resp.Status == http.StatusOK {
		results, err := ParseTrack(resp.Body, numbers)
		if err != nil {
			return nil, fmt.Errorf("fedex track: %w", err)
		}
		return results, nil
	}
	return nil, c.callError(resp)
}

// callError is the error of a tracking call that did not answer 200.
func (c *Connector) callError(resp carrierhttp.Response) error {
	_, reason := errorOf(resp.Body)
	if resp.Status == http.StatusTooManyRequests {
		wait := c.ep.RetryWait(resp, RateLimitWait)
		if strings.Contains(strings.ToLower(reason), "quota") {
			wait = max(wait, carrierhttp.UntilMidnightUTC(c.ep.Now())) // the daily quota resets at 00:00 GMT
		}
		return &carrier.TemporaryError{Reason: "rate limited (HTTP 429): " + reason, RetryAfter: wait}
	}
	if err := carrierhttp.Temporary(resp, c.ep.Now(), reason); err != nil {
		return err
	}
	switch {
	case resp.Status == http.StatusNotFound:
		return fmt.Errorf("fedex track: %s: %w", reason, carrier.ErrNotFound)
	case resp.Status == http.StatusUnauthorized:
		return fmt.Errorf("fedex track: a fresh token was refused: %s", reason)
	}
	return fmt.Errorf("fedex track: HTTP %d: %s", resp.Status, reason)
}

func (c *Connector) track(ctx context.Context, token string, numbers []string) (carrierhttp.Response, error) {
	type numberInfo struct {
		TrackingNumber string `json:"trackingNumber"`
	}
	type info struct {
		TrackingNumberInfo numberInfo `json:"trackingNumberInfo"`
	}
	body := struct {
		IncludeDetailedScans bool   `json:"includeDetailedScans"`
		TrackingInfo         []info `json:"trackingInfo"`
	}{IncludeDetailedScans: true}
	for _, n := range numbers {
		body.TrackingInfo = append(body.TrackingInfo, info{numberInfo{n}})
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return carrierhttp.Response{}, fmt.Errorf("fedex track request: %w", err)
	}
	r, err := http.NewRequest(http.MethodPost, c.ep.Base+"/track/v1/trackingnumbers", bytes.NewReader(raw))
	if err != nil {
		return carrierhttp.Response{}, fmt.Errorf("fedex track request: %w", err)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("X-locale", "en_US")
	return carrierhttp.Do(ctx, c.ep.Client, r)
}

// requestToken asks FedEx for a token (form-encoded client credentials).
func (c *Connector) requestToken(ctx context.Context, cr oauth.Credentials) (oauth.Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cr.ID}, "client_secret": {cr.Secret}}
	r, err := http.NewRequest(http.MethodPost, c.ep.Base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return oauth.Token{}, fmt.Errorf("fedex token request: %w", err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	resp, err := carrierhttp.Do(ctx, c.ep.Client, r)
	if err != nil {
		return oauth.Token{}, err
	}
	_, reason := errorOf(resp.Body)
	return oauth.TokenAnswer(c.ep, resp, "FedEx", reason, RateLimitWait)
}
