// Package fedexfake is a fake FedEx Track API for tests: an http.Handler
// that serves FedEx's token endpoint and POST /track/v1/trackingnumbers
// (at most 30 numbers a call) with the shapes of docs/CARRIERS.md, and
// plays a scripted journey that advances one step per poll of a number:
// label created → picked up → arrived → departed → on vehicle for
// delivery → delivered (signed for, with a signature proof of delivery).
//
// It answers every documented error: a wrong client (401), an empty or
// oversized batch (400), an unknown number (its own error inside a 200,
// SetUnknown), a revoked token (401 NOT.AUTHORIZED.ERROR, RevokeTokens),
// and injected 429s (Quota for the daily one) and 5xx (FailNext). Start
// it with httptest.NewServer and pass its URL as fedex.Options.BaseURL.
package fedexfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
)

// The fake's only client.
const (
	ClientID     = "fake-fedex-api-key"
	ClientSecret = "fake-fedex-secret-key"
)

// Signer signs for every delivered parcel.
const Signer = "D.HERRERA"

// MaxBatch is the most numbers the fake takes in one call, as FedEx.
const MaxBatch = 30

type step struct {
	eventType, derived, description, locationType string
	city, state, zip, country                     string
}

var journey = []step{
	{"OC", "IN", "Shipment information sent to FedEx", "CUSTOMER", "", "", "", "US"},
	{"PU", "PU", "Picked up", "PICKUP_LOCATION", "MEMPHIS", "TN", "38118", "US"},
	{"AR", "IT", "Arrived at FedEx location", "FEDEX_FACILITY", "INDIANAPOLIS", "IN", "46241", "US"},
	{"DP", "IT", "Departed FedEx location", "FEDEX_FACILITY", "INDIANAPOLIS", "IN", "46241", "US"},
	{"OD", "IT", "On FedEx vehicle for delivery", "VEHICLE", "CLOVIS", "CA", "93612", "US"},
	{"DL", "DL", "Delivered", "DELIVERY_LOCATION", "CLOVIS", "CA", "93612", "US"},
}

// Steps is the number of polls it takes a number to be delivered.
var Steps = len(journey)

var zone = time.FixedZone("PDT", -7*3600)

// Fake is the fake FedEx API, scripted and counted through its
// carrierfake.Script (FailNext, RevokeTokens, SetUnknown, Batches …).
type Fake struct {
	*carrierfake.Script
	now func() time.Time
	mux *http.ServeMux
}

// New returns a fake whose clock is now (nil means time.Now).
func New(now func() time.Time) *Fake {
	if now == nil {
		now = time.Now
	}
	f := &Fake{Script: carrierfake.NewScript(ClientID, ClientSecret, len(journey)), now: now, mux: http.NewServeMux()}
	f.mux.HandleFunc("POST /oauth/token", f.token)
	f.mux.HandleFunc("POST /track/v1/trackingnumbers", f.track)
	return f
}

// ServeHTTP answers FedEx's token and tracking endpoints.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		fedexError(w, http.StatusBadRequest, "BAD.REQUEST.ERROR", "The given client credentials were not valid. Please modify your request and try again.")
		return
	}
	token, lifetime, ok := f.IssueToken(r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), f.now())
	if !ok {
		fedexError(w, http.StatusUnauthorized, "NOT.AUTHORIZED.ERROR", "The given client credentials were not valid. Please modify your request and try again.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "bearer",
		"expires_in": int(lifetime.Seconds()), "scope": "CXS-TP"})
}

func (f *Fake) track(w http.ResponseWriter, r *http.Request) {
	now := f.now()
	if !f.ValidBearer(r.Header.Get("Authorization"), now) {
		fedexError(w, http.StatusUnauthorized, "NOT.AUTHORIZED.ERROR", "Access token expired. Please modify your request and try again.")
		return
	}
	if fail, ok := f.TakeTrackCall(); ok {
		if fail.RetryAfter != "" {
			w.Header().Set("Retry-After", fail.RetryAfter)
		}
		switch {
		case fail.Status == http.StatusTooManyRequests && fail.Quota:
			fedexError(w, fail.Status, "TOO.MANY.REQUESTS.ERROR", "Daily transaction quota exceeded. Retry after 12:00AM GMT")
		case fail.Status == http.StatusTooManyRequests:
			fedexError(w, fail.Status, "TOO.MANY.REQUESTS.ERROR", "We have received too many requests in a short duration. Please wait a while to try again")
		case fail.Status == http.StatusServiceUnavailable:
			fedexError(w, fail.Status, "SERVICE.UNAVAILABLE.ERROR", "The service is currently unavailable and we are working to resolve the issue. We apologize for any inconvenience. Please check back at a later time.")
		default:
			fedexError(w, fail.Status, "INTERNAL.SERVER.ERROR", "We encountered an unexpected error and are working to resolve the issue. We apologize for any inconvenience. Please check back at a later time.")
		}
		return
	}
	var req struct {
		TrackingInfo []struct {
			TrackingNumberInfo struct {
				TrackingNumber string `json:"trackingNumber"`
			} `json:"trackingNumberInfo"`
		} `json:"trackingInfo"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || len(req.TrackingInfo) == 0 {
		fedexError(w, http.StatusBadRequest, "TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number.")
		return
	}
	if len(req.TrackingInfo) > MaxBatch {
		fedexError(w, http.StatusBadRequest, "TRACKING.TRACKINGNUMBER.LIMIT.EXCEEDED", "Please limit tracking numbers to 30.")
		return
	}
	f.RecordBatch(len(req.TrackingInfo))
	var results []any
	anyUnknown := false
	for _, ti := range req.TrackingInfo {
		number := strings.TrimSpace(ti.TrackingNumberInfo.TrackingNumber)
		seen, known := f.Poll(number, now)
		if !known {
			anyUnknown = true
			results = append(results, map[string]any{"trackingNumber": number, "trackResults": []any{map[string]any{
				"trackingNumberInfo": map[string]string{"trackingNumber": number, "trackingNumberUniqueId": "", "carrierCode": ""},
				"error": map[string]string{"code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
					"message": "Tracking number cannot be found. Please correct the tracking number and try again."},
			}}})
			continue
		}
		results = append(results, map[string]any{"trackingNumber": number, "trackResults": []any{render(number, seen)}})
	}
	output := map[string]any{"completeTrackResults": results}
	if anyUnknown {
		output["alerts"] = "TRACKING.DATA.NOTFOUND -  Tracking data unavailable"
	}
	writeJSON(w, http.StatusOK, map[string]any{"transactionId": "fake-transaction", "output": output})
}

// render is one number's track result after len(seen) steps.
func render(number string, seen []time.Time) map[string]any {
	const layout = "2006-01-02T15:04:05-07:00"
	events := make([]any, 0, len(seen))
	for i := len(seen) - 1; i >= 0; i-- { // newest first, as FedEx does
		s := journey[i]
		events = append(events, map[string]any{
			"date": seen[i].In(zone).Format(layout), "eventType": s.eventType, "eventDescription": s.description,
			"exceptionCode": "", "exceptionDescription": "", "locationType": s.locationType,
			"derivedStatusCode": s.derived, "derivedStatus": s.description,
			"scanLocation": map[string]any{"city": s.city, "stateOrProvinceCode": s.state, "postalCode": s.zip,
				"countryCode": s.country, "residential": false},
		})
	}
	last := journey[len(seen)-1]
	dates := []any{}
	if len(seen) > 1 {
		dates = append(dates, map[string]string{"type": "ACTUAL_PICKUP", "dateTime": seen[1].In(zone).Format(layout)})
	}
	result := map[string]any{
		"trackingNumberInfo": map[string]string{"trackingNumber": number, "trackingNumberUniqueId": "12029~" + number + "~FDEG", "carrierCode": "FDXG"},
		"latestStatusDetail": map[string]any{"code": last.eventType, "derivedCode": last.derived, "statusByLocale": last.description,
			"description": last.description},
		"scanEvents":             events,
		"availableNotifications": []string{"ON_DELIVERY"},
	}
	if len(seen) == len(journey) {
		dates = append(dates, map[string]string{"type": "ACTUAL_DELIVERY", "dateTime": seen[len(seen)-1].In(zone).Format(layout)})
		result["deliveryDetails"] = map[string]any{"locationType": "RESIDENCE", "locationDescription": "Residence",
			"deliveryAttempts": "0", "receivedByName": Signer, "signedByName": Signer}
		result["availableImages"] = []any{map[string]string{"type": "SIGNATURE_PROOF_OF_DELIVERY"}}
	} else {
		begins, ends := WindowOf(seen[0])
		result["estimatedDeliveryTimeWindow"] = map[string]any{"type": "ESTIMATED_DELIVERY",
			"window": map[string]string{"begins": begins, "ends": ends}}
	}
	result["dateAndTimes"] = dates
	return result
}

// WindowOf is the estimated delivery window the fake announces for a
// journey first polled at first, as FedEx writes it: two days later, the
// start without an offset (as in FedEx's own examples), the end with one.
func WindowOf(first time.Time) (begins, ends string) {
	day := first.In(zone).AddDate(0, 0, 2)
	return day.Format("2006-01-02") + "T08:00:00", day.Format("2006-01-02") + "T20:00:00-07:00"
}

func fedexError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"transactionId": "fake-transaction",
		"errors": []any{map[string]string{"code": code, "message": message}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fedexfake: encoding an answer: %v", err)) // every value is encodable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
