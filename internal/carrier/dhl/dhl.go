// Package dhl is the DHL Shipment Tracking – Unified connector: one
// number per call (GET /track/shipments?trackingNumber=…) with the
// connection's DHL-API-Key, DHL's five status codes refined by the event
// text into AfterShip tags by rules of its own (status.go). See
// docs/COURIERS.md for the mapping and DHL's quirks.
package dhl

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// ProductionURL is DHL's production host.
const ProductionURL = "https://api-eu.dhl.com"

// CredAPIKey is the credential key of a DHL connection: the app's
// Consumer Key (its secret is not used).
const CredAPIKey = "api_key"

// CheckNumber is the tracking number CheckCredentials asks about: the
// example of DHL's own specification.
const CheckNumber = "00340434292135100179"

// The waits after consecutive 429s of a connection that carry no
// Retry-After. DHL answers every 429 with the same text, whether its
// per-second limit or its daily quota is used up; a second 429 in a row
// after the short wait means the quota, which resets at 00:00 GMT.
const (
	FirstRateLimitWait  = time.Minute
	SecondRateLimitWait = 15 * time.Minute
)

// Options configure a connector. The zero value talks to production with
// a 30 s timeout and the real clock.
type Options struct {
	BaseURL    string           // "" means ProductionURL
	HTTPClient *http.Client     // nil means a client with carrierhttp.DefaultTimeout
	Now        func() time.Time // nil means time.Now
}

// Connector speaks DHL's unified tracking API. It is safe for concurrent
// use.
type Connector struct {
	ep carrierhttp.Endpoint

	mu       sync.Mutex
	limited  map[[32]byte]int // hash of an API key → its 429s in a row
	lastSeen map[[32]byte]time.Time
}

var (
	_ carrier.Connector         = (*Connector)(nil)
	_ carrier.CredentialChecker = (*Connector)(nil)
)

// New returns a DHL connector.
func New(o Options) *Connector {
	return &Connector{ep: carrierhttp.NewEndpoint(o.BaseURL, ProductionURL, o.HTTPClient, o.Now),
		limited: map[[32]byte]int{}, lastSeen: map[[32]byte]time.Time{}}
}

// DefaultRate is the request rate a connection should keep to: DHL's
// initial quota of 250 calls a day (one every 5.8 minutes), never more
// than one at a time (its limit is 1 call a second). A merchant whose
// quota DHL raised configures more.
func (c *Connector) DefaultRate() (perSecond float64, burst int) { return 250.0 / 86400, 1 }

// services are the DHL services of Waybill's DHL couriers, sent as the
// service parameter: without it DHL may answer about another shipment
// with the same number.
var services = map[string]string{
	"dhl": "express", "dhl-germany": "parcel-de", "deutsch-post": "post-de", "dhl-benelux": "parcel-nl",
	"dhl-parcel-uk": "parcel-uk", "dhl-ecommerce": "ecommerce", "dhl-global-forwarding": "dgf",
}

// ServiceOf is the DHL service asked for a courier slug, "" for any.
func ServiceOf(slug string) string { return services[strings.ToLower(strings.TrimSpace(slug))] }

func apiKey(creds map[string]string) (string, error) {
	key := strings.TrimSpace(creds[CredAPIKey])
	if key == "" {
		return "", &carrier.CredentialError{Reason: "DHL needs api_key (the app's Consumer Key)"}
	}
	return key, nil
}

// CheckCredentials asks DHL about CheckNumber with the key, one call of
// the connection's quota: nil when DHL accepts the key (whether or not it
// knows the number), a *carrier.CredentialError with DHL's reason when it
// refuses it, a *carrier.TemporaryError when it cannot answer now.
func (c *Connector) CheckCredentials(ctx context.Context, creds map[string]string) error {
	key, err := apiKey(creds)
	if err != nil {
		return err
	}
	resp, err := c.get(ctx, key, url.Values{"trackingNumber": {CheckNumber}})
	if err != nil {
		return err
	}
	switch {
	case resp.Status == http.StatusOK || resp.Status == http.StatusNotFound:
		return nil
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return &carrier.CredentialError{Reason: "DHL: " + problemReason(resp.Body)}
	}
	if err := c.temporary(key, resp); err != nil {
		return err
	}
	return fmt.Errorf("dhl: HTTP %d: %s", resp.Status, problemReason(resp.Body))
}

// Fetch asks DHL about one number, with the service of req's slug and
// the postal code and origin country of its courier fields when it has
// them. A number DHL does not know (404) is carrier.ErrNotFound; a 429
// or 5xx is a *carrier.TemporaryError (see FirstRateLimitWait).
func (c *Connector) Fetch(ctx context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	key, err := apiKey(req.Credentials)
	if err != nil {
		return carrier.FetchResult{}, err
	}
	q := url.Values{"trackingNumber": {req.TrackingNumber}, "language": {"en"}}
	if s := ServiceOf(req.Slug); s != "" {
		q.Set("service", s)
	}
	if pc := strings.TrimSpace(req.CourierFields.PostalCode); pc != "" {
		q.Set("recipientPostalCode", pc)
	}
	if oc := strings.TrimSpace(req.CourierFields.OriginCountry); oc != "" {
		if iso3, ok := waybill.NormalizeCountry(oc); ok {
			if iso2, ok := waybill.CountryISO2(iso3); ok {
				q.Set("originCountryCode", iso2)
			}
		}
	}
	resp, err := c.get(ctx, key, q)
	if err != nil {
		return carrier.FetchResult{}, err
	}
	if err := c.temporary(key, resp); err != nil {
		return carrier.FetchResult{}, err
	}
	switch resp.Status {
	case http.StatusOK:
		res, err := ParseShipments(resp.Body, req.TrackingNumber)
		if err != nil {
			return carrier.FetchResult{}, fmt.Errorf("dhl track %s: %w", req.TrackingNumber, err)
		}
		return res, nil
	case http.StatusNotFound:
		return carrier.FetchResult{}, fmt.Errorf("dhl track: %s: %w", problemReason(resp.Body), carrier.ErrNotFound)
	case http.StatusUnauthorized, http.StatusForbidden:
		return carrier.FetchResult{}, fmt.Errorf("dhl track: the API key was refused: %s", problemReason(resp.Body))
	}
	return carrier.FetchResult{}, fmt.Errorf("dhl track: HTTP %d: %s", resp.Status, problemReason(resp.Body))
}

func (c *Connector) get(ctx context.Context, key string, q url.Values) (carrierhttp.Response, error) {
	r, err := http.NewRequest(http.MethodGet, c.ep.Base+"/track/shipments?"+q.Encode(), nil)
	if err != nil {
		return carrierhttp.Response{}, fmt.Errorf("dhl request: %w", err)
	}
	r.Header.Set("DHL-API-Key", key)
	r.Header.Set("Accept", "application/json")
	resp, err := carrierhttp.Do(ctx, c.ep.Client, r)
	if err != nil {
		return resp, fmt.Errorf("dhl: %w", err)
	}
	return resp, nil
}

// temporary returns the *carrier.TemporaryError of a 429, 408 or 5xx,
// and nil otherwise. It counts the connection's 429s in a row: without
// Retry-After, the first waits FirstRateLimitWait, the second
// SecondRateLimitWait, and any further one until 00:00 GMT, when DHL's
// daily quota resets. Any other answer resets the count.
func (c *Connector) temporary(key string, resp carrierhttp.Response) error {
	id := sha256.Sum256([]byte(key))
	now := c.ep.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if resp.Status != http.StatusTooManyRequests {
		delete(c.limited, id)
		delete(c.lastSeen, id)
		return carrierhttp.Temporary(resp, now, problemReason(resp.Body))
	}
	if last, ok := c.lastSeen[id]; ok && now.Sub(last) > 24*time.Hour {
		delete(c.limited, id) // a 429 of another day starts afresh
	}
	c.limited[id]++
	c.lastSeen[id] = now
	wait := carrierhttp.RetryAfter(resp.Header, now)
	if wait == 0 {
		switch n := c.limited[id]; {
		case n == 1:
			wait = FirstRateLimitWait
		case n == 2:
			wait = SecondRateLimitWait
		default:
			wait = max(carrierhttp.UntilMidnightUTC(now), FirstRateLimitWait)
		}
	}
	return &carrier.TemporaryError{Reason: "rate limited (HTTP 429): " + problemReason(resp.Body), RetryAfter: wait}
}
