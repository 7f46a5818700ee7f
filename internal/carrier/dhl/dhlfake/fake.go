// Package dhlfake is a fake DHL Shipment Tracking – Unified API for
// tests: an http.Handler that serves GET /track/shipments with the shapes
// of docs/CARRIERS.md and plays a scripted journey that advances one step
// per poll of a number: shipment information received → picked up →
// arrived at a sort facility → departed → out with courier for delivery →
// delivered (signed, with a proof-of-delivery document). Event times
// carry an offset, except for service parcel-de, whose times are local
// without one, as DHL writes them.
//
// It answers every documented error as application/problem+json: a
// missing or wrong DHL-API-Key (401), a missing trackingNumber (400), an
// unknown number (404 "No result found", SetUnknown), and injected 429s
// ("Too many requests within defined time period") and 5xx (FailNext).
package dhlfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
)

// APIKey is the only key the fake accepts.
const APIKey = "fake-dhl-api-key"

// Signer is who signs for every delivered shipment.
const (
	SignerGivenName  = "Erika"
	SignerFamilyName = "Mustermann"
)

// PODURL is the proof-of-delivery document of every delivered shipment.
const PODURL = "https://webpod.dhl.com/webPOD/DHLePODRequest"

type step struct {
	statusCode, description, locality, postal, country string
}

var journey = []step{
	{"pre-transit", "Shipment information received", "LEIPZIG - GERMANY", "04435", "DE"},
	{"transit", "Shipment picked up", "LEIPZIG - GERMANY", "04435", "DE"},
	{"transit", "Arrived at DHL Sort Facility LEIPZIG - GERMANY", "LEIPZIG - GERMANY", "04435", "DE"},
	{"transit", "Shipment has departed from a DHL facility LEIPZIG - GERMANY", "LEIPZIG - GERMANY", "04435", "DE"},
	{"transit", "Shipment is out with courier for delivery", "BONN - GERMANY", "53113", "DE"},
	{"delivered", "Delivered", "BONN - GERMANY", "53113", "DE"},
}

// Steps is the number of polls it takes a number to be delivered.
var Steps = len(journey)

var zone = time.FixedZone("CET", 3600)

// Fake is the fake DHL API, scripted and counted through its
// carrierfake.Script (FailNext, SetUnknown, TrackRequests, Polls …).
type Fake struct {
	*carrierfake.Script
	now func() time.Time
	mux *http.ServeMux

	mu   sync.Mutex
	last url.Values
}

// New returns a fake whose clock is now (nil means time.Now).
func New(now func() time.Time) *Fake {
	if now == nil {
		now = time.Now
	}
	f := &Fake{Script: carrierfake.NewScript(APIKey, "", len(journey)), now: now, mux: http.NewServeMux()}
	f.mux.HandleFunc("GET /track/shipments", f.track)
	return f
}

// ServeHTTP answers DHL's tracking endpoint.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

// LastQuery is the query of the last tracking call (service,
// recipientPostalCode …), nil before any.
func (f *Fake) LastQuery() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *Fake) track(w http.ResponseWriter, r *http.Request) {
	if !f.APIKey(r.Header.Get("DHL-API-Key")) {
		problem(w, http.StatusUnauthorized, "Unauthorized", "Invalid API key or missing DHL-API-Key header.")
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.last = q
	f.mu.Unlock()
	if fail, ok := f.TakeTrackCall(); ok {
		if fail.RetryAfter != "" {
			w.Header().Set("Retry-After", fail.RetryAfter)
		}
		if fail.Status == http.StatusTooManyRequests {
			problem(w, fail.Status, "Too Many Requests", "Too many requests within defined time period, please try again later.")
			return
		}
		problem(w, fail.Status, http.StatusText(fail.Status), "The service is temporarily unavailable.")
		return
	}
	number := q.Get("trackingNumber")
	if number == "" {
		problem(w, http.StatusBadRequest, "Bad Request", "The trackingNumber parameter is required.")
		return
	}
	seen, known := f.Poll(number, f.now())
	if !known {
		problem(w, http.StatusNotFound, "No result found", "No shipment with given tracking number found.")
		return
	}
	w.Header().Set("Content-Language", "en")
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"url":       "/shipments?trackingNumber=" + url.QueryEscape(number) + "&offset=0&limit=5",
		"shipments": []any{render(number, q.Get("service"), seen)},
	})
}

// render is the shipment after len(seen) steps.
func render(number, service string, seen []time.Time) map[string]any {
	if service == "" {
		service = "express"
	}
	noOffset := service == "parcel-de"
	events := make([]any, 0, len(seen))
	for i := len(seen) - 1; i >= 0; i-- { // newest first, as DHL does
		s := journey[i]
		ts := seen[i].In(zone).Format("2006-01-02T15:04:05-07:00")
		if noOffset {
			ts = seen[i].In(zone).Format("2006-01-02T15:04:05") // as parcel-de writes them
		}
		events = append(events, map[string]any{
			"timestamp": ts, "statusCode": s.statusCode, "status": s.description, "description": s.description,
			"location": map[string]any{"address": map[string]string{"addressLocality": s.locality, "postalCode": s.postal, "countryCode": s.country}},
		})
	}
	sh := map[string]any{
		"id": number, "service": service,
		"origin":      map[string]any{"address": map[string]string{"countryCode": "DE", "addressLocality": "LEIPZIG - GERMANY"}},
		"destination": map[string]any{"address": map[string]string{"countryCode": "DE", "addressLocality": "BONN - GERMANY"}},
		"status":      events[0],
		"events":      events,
		"details": map[string]any{"product": map[string]string{"productName": "EXPRESS DOMESTIC"}, "totalNumberOfPieces": 1,
			"references": map[string]string{"number": "REF-1", "type": "customer-reference"}},
	}
	if len(seen) > 1 {
		sh["pickUpDate"] = seen[1].In(zone).Format("2006-01-02T15:04:05-07:00")
	}
	if len(seen) == len(journey) {
		sh["details"].(map[string]any)["proofOfDelivery"] = map[string]any{
			"timestamp":   seen[len(seen)-1].In(zone).Format("2006-01-02T15:04:05-07:00"),
			"documentUrl": PODURL, "signatureUrl": "string",
			"signed": map[string]string{"@type": "Person", "givenName": SignerGivenName, "familyName": SignerFamilyName, "name": SignerGivenName},
		}
	} else {
		from, through := WindowOf(seen[0])
		sh["estimatedTimeOfDelivery"] = through
		sh["estimatedDeliveryTimeFrame"] = map[string]string{"estimatedFrom": from, "estimatedThrough": through}
		sh["estimatedTimeOfDeliveryRemark"] = "By End of Day"
	}
	return sh
}

// WindowOf is the delivery window the fake announces for a journey first
// polled at first: the whole of the day after, CET.
func WindowOf(first time.Time) (from, through string) {
	day := first.In(zone).AddDate(0, 0, 1).Format("2006-01-02")
	return day + "T08:00:00+01:00", day + "T18:00:00+01:00"
}

func problem(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, "application/problem+json", map[string]any{"title": title, "detail": detail, "status": status})
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("dhlfake: encoding an answer: %v", err)) // every value is encodable
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
