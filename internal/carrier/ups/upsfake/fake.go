// Package upsfake is a fake UPS Track API for tests: an http.Handler that
// serves UPS's token endpoint and tracking endpoint with the shapes of
// docs/CARRIERS.md, and plays a scripted journey that advances one step
// per poll of a number: label created → picked up → arrived → departed →
// out for delivery → delivered (signed for by the recipient).
//
// It answers every documented error: a wrong client (401 "ClientId is
// Invalid"), an unknown number (200 with warning TW0001, SetUnknown), an
// invalid number (400 TV1002), a revoked token (401, RevokeTokens), and
// injected 429s and 5xx (FailNext). Start it with httptest.NewServer and
// pass its URL as ups.Options.BaseURL (or WAYBILL_CARRIER_UPS_URL).
package upsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
)

// The fake's only client.
const (
	ClientID     = "fake-ups-client"
	ClientSecret = "fake-ups-secret"
)

// Receiver is who signs for every delivered parcel.
const Receiver = "J. RECIPIENT"

// step is one scan of the journey.
type step struct {
	typ, code, statusCode, description string
	city, state, zip, country          string
}

// Journey is the scripted journey, in order.
var journey = []step{
	{"M", "MP", "003", "Shipper created a label, UPS has not received the package yet.", "", "", "", "US"},
	{"I", "PU", "038", "Pickup Scan", "ATLANTA", "GA", "30301", "US"},
	{"I", "AR", "005", "Arrived at Facility", "LOUISVILLE", "KY", "40201", "US"},
	{"I", "DP", "005", "Departed from Facility", "LOUISVILLE", "KY", "40201", "US"},
	{"I", "OT", "021", "Out For Delivery Today", "NEW YORK", "NY", "10001", "US"},
	{"D", "FS", "011", "DELIVERED", "NEW YORK", "NY", "10001", "US"},
}

// Steps is the number of polls it takes a number to be delivered.
var Steps = len(journey)

// zone is the local time of every scan (UPS gives local time and offset).
var zone = time.FixedZone("EST", -5*3600)

// Fake is the fake UPS API. Its methods from carrierfake.Script script it
// (FailNext, RevokeTokens, SetUnknown, SetTokenLifetime) and count calls
// (TokenRequests, TrackRequests, Polls).
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
	f.SetTokenLifetime(4*time.Hour - time.Second) // as the carrier's tokens
	f.mux.HandleFunc("POST /security/v1/oauth/token", f.token)
	f.mux.HandleFunc("GET /api/track/v1/details/{number}", f.track)
	return f
}

// ServeHTTP answers UPS's token and tracking endpoints.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	id, secret, _ := r.BasicAuth()
	if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		upsError(w, http.StatusBadRequest, "10400", "Invalid/Missing grant_type")
		return
	}
	now := f.now()
	token, lifetime, ok := f.IssueToken(id, secret, now)
	if !ok {
		upsError(w, http.StatusUnauthorized, "10401", "ClientId is Invalid")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"token_type": "Bearer", "issued_at": strconv.FormatInt(now.UnixMilli(), 10), "client_id": id,
		"access_token": token, "scope": "", "expires_in": strconv.Itoa(int(lifetime.Seconds())),
		"refresh_count": "0", "status": "approved",
	})
}

func (f *Fake) track(w http.ResponseWriter, r *http.Request) {
	now := f.now()
	if !f.ValidBearer(r.Header.Get("Authorization"), now) {
		upsError(w, http.StatusUnauthorized, "250002", "Invalid Authentication Information.")
		return
	}
	if r.Header.Get("transId") == "" || r.Header.Get("transactionSrc") == "" {
		upsError(w, http.StatusBadRequest, "10001", "The request is missing transId or transactionSrc")
		return
	}
	if fail, ok := f.TakeTrackCall(); ok {
		if fail.Status == http.StatusTooManyRequests {
			upsError(w, fail.Status, "10429", "Too Many Requests")
			return
		}
		if fail.RetryAfter != "" {
			w.Header().Set("Retry-After", fail.RetryAfter)
		}
		upsError(w, fail.Status, "10004", "Transient error, please retry")
		return
	}
	number := r.PathValue("number")
	if len(number) < 7 || len(number) > 34 || strings.Trim(strings.ToUpper(number), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		upsError(w, http.StatusBadRequest, "TV1002", "Invalid inquiry number")
		return
	}
	seen, known := f.Poll(number, now)
	if !known {
		writeJSON(w, http.StatusOK, map[string]any{"trackResponse": map[string]any{"shipment": []any{map[string]any{
			"inquiryNumber": number,
			"warnings":      []any{map[string]string{"code": "TW0001", "message": "Tracking Information Not Found"}},
		}}}})
		return
	}
	writeJSON(w, http.StatusOK, render(number, seen))
}

// render is the Track API answer after len(seen) steps.
func render(number string, seen []time.Time) map[string]any {
	activities := make([]any, 0, len(seen))
	for i := len(seen) - 1; i >= 0; i-- { // newest first, as UPS does
		s, at := journey[i], seen[i].In(zone)
		activities = append(activities, map[string]any{
			"location": map[string]any{"address": map[string]string{
				"city": s.city, "stateProvince": s.state, "postalCode": s.zip, "countryCode": s.country, "country": s.country}},
			"status": map[string]string{"type": s.typ, "code": s.code, "description": s.description, "statusCode": s.statusCode},
			"date":   at.Format("20060102"), "time": at.Format("150405"),
			"gmtDate": at.UTC().Format("20060102"), "gmtTime": at.UTC().Format("15:04:05"), "gmtOffset": "-05:00",
			"logicalScan": false,
		})
	}
	first := seen[0].In(zone)
	last := journey[len(seen)-1]
	pkg := map[string]any{
		"trackingNumber": number,
		"activity":       activities,
		"currentStatus":  map[string]string{"description": last.description, "code": last.statusCode},
		"packageAddress": []any{
			map[string]any{"type": "ORIGIN", "address": map[string]string{"city": "ATLANTA", "stateProvince": "GA", "countryCode": "US", "country": "US"}},
			map[string]any{"type": "DESTINATION", "address": map[string]string{"city": "NEW YORK", "stateProvince": "NY", "countryCode": "US", "country": "US"}},
		},
		"service":      map[string]string{"code": "003", "levelCode": "GND", "description": "UPS Ground"},
		"packageCount": 1,
	}
	shipment := map[string]any{"inquiryNumber": number, "shipmentType": "S", "package": []any{pkg}}
	if len(seen) > 1 {
		shipment["pickupDate"] = seen[1].In(zone).Format("20060102")
	}
	if len(seen) == len(journey) {
		at := seen[len(seen)-1].In(zone)
		pkg["deliveryDate"] = []any{map[string]string{"type": "DEL", "date": at.Format("20060102")}}
		pkg["deliveryTime"] = map[string]string{"type": "DEL", "endTime": at.Format("150405")}
		pkg["deliveryInformation"] = map[string]any{"receivedBy": Receiver, "location": "Front Door"}
	} else {
		pkg["deliveryDate"] = []any{map[string]string{"type": "SDD", "date": ExpectedDay(first).Format("20060102")}}
		pkg["deliveryTime"] = map[string]string{"type": "EDW", "startTime": "090000", "endTime": "130000"}
	}
	return map[string]any{"trackResponse": map[string]any{"shipment": []any{shipment}}}
}

// ExpectedDay is the scheduled delivery day the fake announces for a
// journey first polled at first: three days later, in UPS's local time.
func ExpectedDay(first time.Time) time.Time { return first.In(zone).AddDate(0, 0, 3) }

func upsError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"response": map[string]any{"errors": []any{map[string]string{"code": code, "message": message}}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("upsfake: encoding an answer: %v", err)) // a programming error: every value is encodable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
