// Package uspsfake is a fake USPS Tracking v3 API for tests: an
// http.Handler that serves USPS's token endpoint, the v3 GET
// (/tracking/v3/tracking/{number}) and the v3r2 batch POST
// (/tracking/v3r2/tracking, at most 35 numbers) with the shapes of
// docs/CARRIERS.md, and plays a scripted journey that advances one step
// per poll of a number: label created → accepted → arrived at a regional
// facility → in transit → out for delivery → delivered. Event times are
// local without an offset, as USPS writes them; most events carry
// GMTTimestamp and GMTOffset, the in-transit one carries neither.
//
// It answers every documented error: a wrong client (401 invalid_client),
// an app without the tracking scope (SetScope; its tracking calls answer
// 401), an unknown number (404 "Tracking is not available …", or a
// failed item in a 207, SetUnknown), a revoked token (401, RevokeTokens),
// and injected 429s and 5xx with Retry-After (FailNext).
package uspsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
)

// The fake's only client.
const (
	ClientID     = "fake-usps-client"
	ClientSecret = "fake-usps-secret"
)

// Recipient is the name on every delivery event.
const Recipient = "J SMITH"

// MaxBatch is the most numbers of one v3r2 call.
const MaxBatch = 35

// NotAvailable is USPS's message for a number it does not know.
const NotAvailable = "Tracking is not available for this item. This may be because the tracking number is invalid; USPS has not yet received payment; USPS has not yet received the item; the item does not include tracking; or other reasons."

type step struct {
	code, eventType, city, state, zip string
	gmt                               bool // whether the event carries GMTTimestamp and GMTOffset
}

var journey = []step{
	{"GX", "Shipping Label Created, USPS Awaiting Item", "JAMAICA", "NY", "11430", true},
	{"03", "USPS picked up item", "JAMAICA", "NY", "11430", true},
	{"A1", "Arrived at USPS Regional Facility", "JACKSONVILLE FL DISTRIBUTION CENTER", "", "", true},
	{"TL", "In Transit to Next Facility", "", "", "", false},
	{"OF", "Out for Delivery", "HERNANDO", "FL", "34442", true},
	{"01", "Delivered, Left with Individual", "HERNANDO", "FL", "34442", true},
}

// Steps is the number of polls it takes a number to be delivered.
var Steps = len(journey)

var zone = time.FixedZone("EST", -5*3600)

// Fake is the fake USPS API, scripted and counted through its
// carrierfake.Script (FailNext, RevokeTokens, SetUnknown, Batches …).
type Fake struct {
	*carrierfake.Script
	now func() time.Time
	mux *http.ServeMux

	mu    sync.Mutex
	scope string
}

// New returns a fake whose clock is now (nil means time.Now), granting
// the tracking scope.
func New(now func() time.Time) *Fake {
	if now == nil {
		now = time.Now
	}
	f := &Fake{Script: carrierfake.NewScript(ClientID, ClientSecret, len(journey)), now: now, mux: http.NewServeMux(),
		scope: "addresses tracking locations"}
	f.SetTokenLifetime(8*time.Hour - time.Second) // as the carrier's tokens
	f.mux.HandleFunc("POST /oauth2/v3/token", f.token)
	f.mux.HandleFunc("GET /tracking/v3/tracking/{number}", f.trackOne)
	f.mux.HandleFunc("POST /tracking/v3r2/tracking", f.trackBatch)
	return f
}

// SetScope sets the scope granted to tokens issued from now on; without
// "tracking", tracking calls answer 401 as USPS does.
func (f *Fake) SetScope(scope string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scope = scope
}

func (f *Fake) grantsTracking() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range strings.Fields(f.scope) {
		if s == "tracking" {
			return true
		}
	}
	return false
}

// ServeHTTP answers USPS's token and tracking endpoints.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in)
	} else if r.ParseForm() == nil {
		in.ClientID, in.ClientSecret, in.GrantType = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), r.PostForm.Get("grant_type")
	}
	if in.GrantType != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
		return
	}
	now := f.now()
	token, lifetime, ok := f.IssueToken(in.ClientID, in.ClientSecret, now)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client",
			"error_description": "Client authentication failed.", "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#page-45"})
		return
	}
	f.mu.Lock()
	scope := f.scope
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "Bearer", "issued_at": now.UnixMilli(),
		"expires_in": int(lifetime.Seconds()), "status": "approved", "scope": scope,
		"issuer": "https://keyc.usps.com/realms/USPS", "client_id": in.ClientID, "application_name": "fake", "api_products": "[Public Access I]"})
}

// authorize answers the error of a refused or failed tracking call and
// reports whether the call may go on.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request, api string) bool {
	if !f.ValidBearer(r.Header.Get("Authorization"), f.now()) || !f.grantsTracking() {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://api.usps.com"`)
		uspsError(w, http.StatusUnauthorized, api, "The client application identifier is invalid.", nil)
		return false
	}
	fail, failed := f.TakeTrackCall()
	if !failed {
		return true
	}
	if fail.RetryAfter != "" {
		w.Header().Set("Retry-After", fail.RetryAfter)
	}
	if fail.Status == http.StatusTooManyRequests {
		uspsError(w, fail.Status, api, "Exceeded quota limit. Please contact https://emailus.usps.com/s/web-tools-inquiry and a representative will assist.",
			[]any{map[string]any{"title": "Too Many Requests.", "status": "429",
				"detail": "Quota limit exceeded. The number of requests has exceeded the quota established for the time period.",
				"source": map[string]string{"parameter": "API product or default", "APIProduct": "Public Access I"}}})
		return false
	}
	uspsError(w, fail.Status, api, "The service is temporarily unavailable.", nil)
	return false
}

func (f *Fake) trackOne(w http.ResponseWriter, r *http.Request) {
	if !f.authorize(w, r, "/tracking/v3") {
		return
	}
	number := r.PathValue("number")
	seen, known := f.Poll(number, f.now())
	if !known {
		uspsError(w, http.StatusNotFound, "/tracking/v3", NotAvailable, nil)
		return
	}
	writeJSON(w, http.StatusOK, render(number, seen, false))
}

func (f *Fake) trackBatch(w http.ResponseWriter, r *http.Request) {
	if !f.authorize(w, r, "/tracking/v3r2") {
		return
	}
	var items []struct {
		TrackingNumber string `json:"trackingNumber"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&items); err != nil || len(items) == 0 || len(items) > MaxBatch {
		uspsError(w, http.StatusBadRequest, "/tracking/v3r2", "OASValidation: the body must be an array of 1 to 35 items with trackingNumber", nil)
		return
	}
	f.RecordBatch(len(items))
	status, out := http.StatusOK, make([]any, 0, len(items))
	for _, it := range items {
		seen, known := f.Poll(it.TrackingNumber, f.now())
		if !known {
			status = http.StatusMultiStatus
			out = append(out, map[string]any{"trackingNumber": it.TrackingNumber,
				"error": map[string]string{"code": "404", "message": NotAvailable}})
			continue
		}
		out = append(out, render(it.TrackingNumber, seen, true))
	}
	writeJSON(w, status, out)
}

// render is a TrackingDetails after len(seen) steps, in v3's shape or in
// v3r2's (deliveryDateExpectation, eventZIPCode).
func render(number string, seen []time.Time, v3r2 bool) map[string]any {
	events := make([]any, 0, len(seen))
	for i := len(seen) - 1; i >= 0; i-- { // newest first, as USPS does
		s, at := journey[i], seen[i]
		e := map[string]any{"eventType": s.eventType, "eventTimestamp": at.In(zone).Format("2006-01-02T15:04:05"),
			"eventCountry": nil, "eventCity": nilIfEmpty(s.city), "eventState": nilIfEmpty(s.state),
			"firm": nil, "name": nil, "authorizedAgent": "false", "eventCode": s.code}
		zipKey := "eventZIP"
		if v3r2 {
			zipKey = "eventZIPCode"
		}
		e[zipKey] = nilIfEmpty(s.zip)
		if s.gmt {
			e["GMTTimestamp"] = at.UTC().Format(time.RFC3339)
			e["GMTOffset"] = "-05:00"
		}
		if s.code == "01" {
			e["name"] = Recipient
		}
		events = append(events, e)
	}
	last := journey[len(seen)-1]
	category := map[string]string{"GX": "Pre-Shipment", "03": "Accepted", "01": "Delivered", "OF": "Out for Delivery"}[last.code]
	if category == "" {
		category = "Moving Through Network"
	}
	d := map[string]any{
		"trackingNumber": number, "mailClass": "USPS Ground Advantage<SUP>&#153;</SUP>", "mailType": "DM",
		"originCity": "JAMAICA", "originState": "NY", "originZIP": "11430",
		"destinationCity": "HERNANDO", "destinationState": "FL", "destinationZIP": "34442",
		"status": last.eventType, "statusCategory": category, "emailEnabled": "true",
		"proofOfDeliveryEnabled": fmt.Sprint(len(seen) == len(journey)),
		"services":               "USPS Tracking<SUP>&#174;</SUP>",
		"trackingEvents":         events,
	}
	if len(seen) < len(journey) {
		day := ExpectedDay(seen[0])
		if v3r2 {
			d["deliveryDateExpectation"] = map[string]any{"expectedDeliveryDate": day,
				"predictedDeliveryWindowStartTime": "10:00:00", "predictedDeliveryWindowEndTime": "14:00:00", "endOfDay": "false"}
		} else {
			d["expectedDeliveryTimeStamp"] = day + "T00:00:00Z"
			d["predictedDeliveryWindowStartTime"] = "10:00:00"
			d["predictedDeliveryWindowEndTime"] = "14:00:00"
		}
	}
	return d
}

// ExpectedDay is the delivery day the fake announces for a journey first
// polled at first: three days later, USPS local time (YYYY-MM-DD).
func ExpectedDay(first time.Time) string { return first.In(zone).AddDate(0, 0, 3).Format("2006-01-02") }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func uspsError(w http.ResponseWriter, status int, api, message string, errs []any) {
	if errs == nil {
		errs = []any{}
	}
	writeJSON(w, status, map[string]any{"apiVersion": api,
		"error": map[string]any{"code": fmt.Sprint(status), "message": message, "errors": errs}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("uspsfake: encoding an answer: %v", err)) // every value is encodable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
