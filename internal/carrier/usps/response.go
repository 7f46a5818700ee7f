package usps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// Wire types of TrackingDetails (v3 expand=DETAIL) and of a v3r2 item,
// only the fields Waybill reads. Booleans arrive as strings and some
// fields as null: flexString reads either.
type (
	details struct {
		TrackingNumber         string          `json:"trackingNumber"`
		StatusCategory         flexString      `json:"statusCategory"`
		ExpectedDeliveryStamp  flexString      `json:"expectedDeliveryTimeStamp"`
		ExpectedDeliveryDate   flexString      `json:"expectedDeliveryDate"`
		PredictedDeliveryDate  flexString      `json:"predictedDeliveryDate"`
		GuaranteedDeliveryDate flexString      `json:"guaranteedDeliveryTimeStamp"`
		WindowStart            flexString      `json:"predictedDeliveryWindowStartTime"`
		WindowEnd              flexString      `json:"predictedDeliveryWindowEndTime"`
		Expectation            *expectation    `json:"deliveryDateExpectation"` // v3r2
		ProofOfDeliveryEnabled flexString      `json:"proofOfDeliveryEnabled"`
		Events                 []event         `json:"trackingEvents"`
		Error                  json.RawMessage `json:"error"` // a failed v3r2 item
	}
	expectation struct {
		ExpectedDeliveryDate   flexString `json:"expectedDeliveryDate"`
		PredictedDeliveryDate  flexString `json:"predictedDeliveryDate"`
		GuaranteedDeliveryDate flexString `json:"guaranteedDeliveryDate"`
		WindowStart            flexString `json:"predictedDeliveryWindowStartTime"`
		WindowEnd              flexString `json:"predictedDeliveryWindowEndTime"`
	}
	event struct {
		EventType      flexString `json:"eventType"`
		EventTimestamp flexString `json:"eventTimestamp"`
		GMTTimestamp   flexString `json:"GMTTimestamp"`
		GMTOffset      flexString `json:"GMTOffset"`
		EventCountry   flexString `json:"eventCountry"`
		EventCity      flexString `json:"eventCity"`
		EventState     flexString `json:"eventState"`
		EventZIP       flexString `json:"eventZIP"`
		EventZIPCode   flexString `json:"eventZIPCode"` // v3r2
		Name           flexString `json:"name"`
		EventCode      flexString `json:"eventCode"`
	}
)

// flexString reads a JSON string, number, boolean or null as text.
type flexString string

// UnmarshalJSON reads any scalar; objects and arrays read as "".
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null" || b[0] == '{' || b[0] == '[':
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

func (f flexString) String() string { return strings.TrimSpace(string(f)) }

// ParseTracking reads a 200 answer of the v3 GET (TrackingDetails) about
// number. Checkpoints come oldest first. An answer without any event is
// carrier.ErrNotFound: USPS has nothing to show yet. ParseTracking never
// panics.
func ParseTracking(body []byte, number string) (carrier.FetchResult, error) {
	var d details
	if err := json.Unmarshal(body, &d); err != nil {
		return carrier.FetchResult{}, fmt.Errorf("reading the answer: %w", err)
	}
	return mapDetails(d, number)
}

// ParseBatch reads a 200 or 207 answer of the v3r2 POST (an array of
// TrackingDetails) and returns one result per number, in order. A number
// whose item is an error, or that the answer leaves out, has its own
// error: carrier.ErrNotFound when USPS does not know it. An answer that
// is not an array is the error. ParseBatch never panics.
func ParseBatch(body []byte, numbers []string) ([]carrier.BatchResult, error) {
	var items []details
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	byNumber := map[string]details{}
	for _, it := range items {
		byNumber[strings.ToUpper(strings.TrimSpace(it.TrackingNumber))] = it
	}
	out := make([]carrier.BatchResult, len(numbers))
	for i, n := range numbers {
		it, ok := byNumber[strings.ToUpper(strings.TrimSpace(n))]
		if !ok {
			out[i].Err = fmt.Errorf("usps %s: not in the answer: %w", n, carrier.ErrNotFound)
			continue
		}
		out[i].Result, out[i].Err = mapDetails(it, n)
	}
	return out, nil
}

// mapDetails turns one TrackingDetails into a result.
func mapDetails(d details, number string) (carrier.FetchResult, error) {
	if present(d.Error) {
		reason := itemErrorReason(d.Error)
		if looksNotFound(d.Error) {
			return carrier.FetchResult{}, fmt.Errorf("usps %s: %s: %w", number, reason, carrier.ErrNotFound)
		}
		return carrier.FetchResult{}, fmt.Errorf("usps %s: %s", number, reason)
	}
	if len(d.Events) == 0 {
		return carrier.FetchResult{}, fmt.Errorf("usps %s: no tracking events: %w", number, carrier.ErrNotFound)
	}
	var res carrier.FetchResult
	prev := ""
	times := eventTimes(d.Events)
	for i := len(d.Events) - 1; i >= 0; i-- { // USPS lists the newest first
		e := d.Events[i]
		when := times[i]
		if when == "" {
			continue
		}
		sub := subtagOf(e.EventCode.String(), e.EventType.String(), prev)
		prev = sub
		cp := waybill.Checkpoint{Slug: "usps", CheckpointTime: when, Message: carrierhttp.Clean(e.EventType.String()),
			RawTag: carrierhttp.Clean(e.EventCode.String()), Tag: tagOf(sub), Subtag: sub}
		zip := e.EventZIP.String()
		if zip == "" {
			zip = e.EventZIPCode.String()
		}
		country := e.EventCountry.String()
		if country == "" && (e.EventState != "" || e.EventCity != "" || zip != "") {
			country = "US" // USPS names the country of foreign scans only
		}
		carrierhttp.Place{City: e.EventCity.String(), State: e.EventState.String(), Zip: zip, Country: country}.Fill(&cp)
		res.Checkpoints = append(res.Checkpoints, cp)
		switch {
		case tagOf(sub) == waybill.TagDelivered:
			res.DeliveryDate = when
			if name := carrierhttp.Clean(e.Name.String()); name != "" {
				res.SignedBy = name
			}
		case res.PickupDate == "" && sub == "InTransit_002":
			res.PickupDate = when
		}
	}
	if len(res.Checkpoints) == 0 {
		return carrier.FetchResult{}, errors.New("no tracking event has a readable time")
	}
	fillExpected(&res, d)
	if res.DeliveryDate != "" && strings.EqualFold(d.ProofOfDeliveryEnabled.String(), "true") {
		// USPS sends the letter on request (POST /tracking/{n}/proof-of-delivery).
		res.ProofOfDelivery = []string{"usps:pod:" + carrierhttp.Clean(number)}
	}
	return res, nil
}

// fillExpected reads USPS's estimate: v3r2's deliveryDateExpectation, or
// v3's fields; the expected (or guaranteed) date before the predicted one,
// and a predicted window when USPS gives its start and end.
func fillExpected(res *carrier.FetchResult, d details) {
	exp := expectation{ExpectedDeliveryDate: d.ExpectedDeliveryStamp, PredictedDeliveryDate: d.PredictedDeliveryDate,
		GuaranteedDeliveryDate: d.GuaranteedDeliveryDate, WindowStart: d.WindowStart, WindowEnd: d.WindowEnd}
	if exp.ExpectedDeliveryDate == "" {
		exp.ExpectedDeliveryDate = d.ExpectedDeliveryDate
	}
	if d.Expectation != nil {
		exp = *d.Expectation
	}
	day := ""
	for _, v := range []flexString{exp.ExpectedDeliveryDate, exp.GuaranteedDeliveryDate, exp.PredictedDeliveryDate} {
		if day = dateOrTime(v.String()); day != "" {
			break
		}
	}
	res.ExpectedDelivery = day
	from, through := windowBound(exp.WindowStart.String(), day), windowBound(exp.WindowEnd.String(), day)
	if from != "" && through != "" {
		res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery = from, through, through
	}
}

// present reports whether a JSON value is there and not null or empty.
func present(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "{}" && s != `""`
}

// looksNotFound reports whether an item error says USPS does not know
// the number (code 404, or USPS's "not available" message).
func looksNotFound(raw json.RawMessage) bool {
	s := strings.ToLower(string(raw))
	return strings.Contains(s, "404") || strings.Contains(s, "not available") || strings.Contains(s, "not found")
}

// itemErrorReason is the message of an item error, which is an object
// {code, message} or a bare string.
func itemErrorReason(raw json.RawMessage) string {
	var e struct {
		Code    flexString `json:"code"`
		Message flexString `json:"message"`
	}
	if json.Unmarshal(raw, &e) == nil && (e.Message != "" || e.Code != "") {
		return carrierhttp.Reason(strings.TrimSpace(e.Code.String() + " " + e.Message.String()))
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return carrierhttp.Reason(s)
	}
	return "no readable error"
}

// errorReason is USPS's message in its error envelope (or OAuth's), or a
// generic one.
func errorReason(body []byte) string {
	var env struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription flexString      `json:"error_description"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "no readable error"
	}
	var e struct {
		Code    flexString `json:"code"`
		Message flexString `json:"message"`
		Errors  []struct {
			Detail flexString `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(env.Error, &e) == nil && (e.Message != "" || e.Code != "") {
		msg := strings.TrimSpace(e.Code.String() + " " + e.Message.String())
		if len(e.Errors) > 0 && e.Errors[0].Detail != "" {
			msg += " (" + e.Errors[0].Detail.String() + ")"
		}
		return carrierhttp.Reason(msg)
	}
	var symbol string
	if json.Unmarshal(env.Error, &symbol) == nil && symbol != "" { // OAuth: {"error":"invalid_client", …}
		return carrierhttp.Reason(strings.TrimSpace(symbol + " " + env.ErrorDescription.String()))
	}
	return "no readable error"
}
