package fedex

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// Wire types of the Track API answer (track.json), only the fields
// Waybill reads.
type (
	trackAnswer struct {
		Output struct {
			CompleteTrackResults []struct {
				TrackingNumber string        `json:"trackingNumber"`
				TrackResults   []trackResult `json:"trackResults"`
			} `json:"completeTrackResults"`
		} `json:"output"`
	}
	trackResult struct {
		TrackingNumberInfo struct {
			TrackingNumber string `json:"trackingNumber"`
		} `json:"trackingNumberInfo"`
		LatestStatusDetail struct {
			Code        string `json:"code"`
			DerivedCode string `json:"derivedCode"`
			Description string `json:"description"`
		} `json:"latestStatusDetail"`
		ScanEvents   []scanEvent `json:"scanEvents"`
		DateAndTimes []struct {
			Type     string `json:"type"`
			DateTime string `json:"dateTime"`
		} `json:"dateAndTimes"`
		EstimatedDeliveryTimeWindow struct {
			Window struct {
				Begins string `json:"begins"`
				Ends   string `json:"ends"`
			} `json:"window"`
		} `json:"estimatedDeliveryTimeWindow"`
		DeliveryDetails struct {
			ReceivedByName string `json:"receivedByName"`
			SignedByName   string `json:"signedByName"`
		} `json:"deliveryDetails"`
		AvailableImages []struct {
			Type string `json:"type"`
		} `json:"availableImages"`
		Error *apiError `json:"error"`
	}
	scanEvent struct {
		Date                 string   `json:"date"`
		EventType            string   `json:"eventType"`
		EventDescription     string   `json:"eventDescription"`
		ExceptionCode        string   `json:"exceptionCode"`
		ExceptionDescription string   `json:"exceptionDescription"`
		DerivedStatusCode    string   `json:"derivedStatusCode"`
		ScanLocation         location `json:"scanLocation"`
	}
	location struct {
		City                string `json:"city"`
		StateOrProvinceCode string `json:"stateOrProvinceCode"`
		PostalCode          string `json:"postalCode"`
		CountryCode         string `json:"countryCode"`
	}
	apiError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	errorAnswer struct {
		Errors           []apiError `json:"errors"`
		Error            string     `json:"error"` // OAuth's own error shape
		ErrorDescription string     `json:"error_description"`
	}
)

// NotFoundCode is the per-number error of a number FedEx does not know,
// answered inside a 200.
const NotFoundCode = "TRACKING.TRACKINGNUMBER.NOTFOUND"

// ParseTrack reads a 200 answer of the Track API about numbers and
// returns one result per number, in order. A number FedEx does not know,
// or that the answer leaves out, is carrier.ErrNotFound in its result;
// another per-number error is a lasting error in its result. An answer
// that cannot be read is the error. ParseTrack never panics.
func ParseTrack(body []byte, numbers []string) ([]carrier.BatchResult, error) {
	var a trackAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	byNumber := map[string][]trackResult{}
	for _, c := range a.Output.CompleteTrackResults {
		n := strings.ToUpper(strings.TrimSpace(c.TrackingNumber))
		byNumber[n] = append(byNumber[n], c.TrackResults...)
	}
	if len(byNumber) == 0 {
		return nil, errors.New("the answer has no completeTrackResults")
	}
	out := make([]carrier.BatchResult, len(numbers))
	for i, n := range numbers {
		out[i] = resultOf(strings.ToUpper(strings.TrimSpace(n)), byNumber[strings.ToUpper(strings.TrimSpace(n))])
	}
	return out, nil
}

// resultOf turns a number's track results into its answer. FedEx answers
// several results for a number it has used more than once; the one with
// the newest scan is the parcel being followed.
func resultOf(number string, results []trackResult) carrier.BatchResult {
	var best *trackResult
	var bestAt time.Time
	var failure *apiError
	for i := range results {
		r := &results[i]
		if r.Error != nil && r.Error.Code != "" {
			failure = r.Error
			continue
		}
		at := newestScan(r.ScanEvents)
		if best == nil || at.After(bestAt) {
			best, bestAt = r, at
		}
	}
	switch {
	case best != nil:
		return carrier.BatchResult{Result: mapResult(number, *best)}
	case failure != nil && (failure.Code == NotFoundCode || strings.Contains(failure.Code, "NOTFOUND") ||
		strings.Contains(failure.Code, "INVALID")):
		return carrier.BatchResult{Err: fmt.Errorf("fedex %s: %s: %w", number, carrierhttp.Reason(failure.Message), carrier.ErrNotFound)}
	case failure != nil:
		return carrier.BatchResult{Err: fmt.Errorf("fedex %s: %s", number, carrierhttp.Reason(failure.Code+" "+failure.Message))}
	}
	return carrier.BatchResult{Err: fmt.Errorf("fedex %s: not in the answer: %w", number, carrier.ErrNotFound)}
}

func newestScan(events []scanEvent) time.Time {
	var newest time.Time
	for _, e := range events {
		if t, ok := parseTime(e.Date); ok && t.After(newest) {
			newest = t
		}
	}
	return newest
}

// mapResult turns one track result into a FetchResult.
func mapResult(number string, r trackResult) carrier.FetchResult {
	var res carrier.FetchResult
	prev := ""
	for i := len(r.ScanEvents) - 1; i >= 0; i-- { // FedEx lists the newest first
		e := r.ScanEvents[i]
		when := timestamp(e.Date)
		if when == "" {
			continue
		}
		sub := subtagOf(e, prev)
		prev = sub
		msg := strings.TrimSpace(e.EventDescription)
		if d := strings.TrimSpace(e.ExceptionDescription); d != "" {
			msg += ": " + d
		}
		cp := waybill.Checkpoint{Slug: "fedex", CheckpointTime: when, Message: carrierhttp.Clean(msg),
			RawTag: carrierhttp.Clean(strings.TrimSpace(e.EventType)), Tag: tagOf(sub), Subtag: sub}
		carrierhttp.Place{City: e.ScanLocation.City, State: e.ScanLocation.StateOrProvinceCode,
			Zip: e.ScanLocation.PostalCode, Country: e.ScanLocation.CountryCode}.Fill(&cp)
		res.Checkpoints = append(res.Checkpoints, cp)
	}
	for _, d := range r.DateAndTimes {
		when := timestamp(d.DateTime)
		switch strings.ToUpper(strings.TrimSpace(d.Type)) {
		case "ACTUAL_DELIVERY":
			res.DeliveryDate = when
		case "ACTUAL_PICKUP":
			res.PickupDate = when
		case "ESTIMATED_DELIVERY":
			res.ExpectedDelivery = when
		}
	}
	w := r.EstimatedDeliveryTimeWindow.Window
	if from, through := timestamp(w.Begins), timestamp(w.Ends); from != "" && through != "" {
		res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery = from, through, through
	} else if res.ExpectedDelivery == "" && through != "" {
		res.ExpectedDelivery = through
	} else if res.ExpectedDelivery == "" {
		res.ExpectedDelivery = from
	}
	res.SignedBy = carrierhttp.Clean(r.DeliveryDetails.SignedByName)
	if res.SignedBy == "" {
		res.SignedBy = carrierhttp.Clean(r.DeliveryDetails.ReceivedByName)
	}
	for _, img := range r.AvailableImages {
		if strings.EqualFold(img.Type, "SIGNATURE_PROOF_OF_DELIVERY") {
			// FedEx serves the letter from /track/v1/trackingdocuments.
			res.ProofOfDelivery = append(res.ProofOfDelivery, "fedex:spod:"+carrierhttp.Clean(number))
		}
	}
	return res
}

// timeLayouts are the forms of FedEx's times: ISO 8601 with an offset,
// and without one in some window bounds.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", time.DateOnly}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// timestamp returns FedEx's time as it is (offset kept, or absent when
// FedEx gives none) when it reads as one, "" otherwise.
func timestamp(s string) string {
	s = strings.TrimSpace(s)
	if _, ok := parseTime(s); !ok {
		return ""
	}
	return carrierhttp.Time(s)
}

// errorOf reads FedEx's error envelope (or OAuth's) as a code and a
// reason safe to show.
func errorOf(body []byte) (code, reason string) {
	var a errorAnswer
	if json.Unmarshal(body, &a) == nil {
		if len(a.Errors) > 0 {
			e := a.Errors[0]
			return e.Code, carrierhttp.Reason(strings.TrimSpace(e.Code + " " + e.Message))
		}
		if a.Error != "" {
			return a.Error, carrierhttp.Reason(strings.TrimSpace(a.Error + " " + a.ErrorDescription))
		}
	}
	return "", "no readable error"
}
