package ups

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

// Wire types of the Track API answer (Tracking.yaml), only the fields
// Waybill reads.
type (
	trackAnswer struct {
		TrackResponse struct {
			Shipment []shipment `json:"shipment"`
		} `json:"trackResponse"`
	}
	shipment struct {
		InquiryNumber string     `json:"inquiryNumber"`
		PickupDate    string     `json:"pickupDate"`
		Warnings      []problem  `json:"warnings"`
		Package       []pkgState `json:"package"`
	}
	pkgState struct {
		TrackingNumber string `json:"trackingNumber"`
		Activity       []struct {
			Date      string `json:"date"`
			Time      string `json:"time"`
			GMTDate   string `json:"gmtDate"`
			GMTTime   string `json:"gmtTime"`
			GMTOffset string `json:"gmtOffset"`
			Location  struct {
				Address address `json:"address"`
			} `json:"location"`
			Status status `json:"status"`
		} `json:"activity"`
		DeliveryDate []struct {
			Type string `json:"type"`
			Date string `json:"date"`
		} `json:"deliveryDate"`
		DeliveryTime struct {
			Type      string `json:"type"`
			StartTime string `json:"startTime"`
			EndTime   string `json:"endTime"`
		} `json:"deliveryTime"`
		DeliveryInformation struct {
			ReceivedBy string          `json:"receivedBy"`
			Location   string          `json:"location"`
			Signature  json.RawMessage `json:"signature"`
			Photo      json.RawMessage `json:"deliveryPhoto"`
			POD        json.RawMessage `json:"pod"`
		} `json:"deliveryInformation"`
	}
	address struct {
		City          string `json:"city"`
		StateProvince string `json:"stateProvince"`
		PostalCode    string `json:"postalCode"`
		Country       string `json:"country"`
		CountryCode   string `json:"countryCode"`
	}
	status struct {
		Type        string `json:"type"`
		Code        string `json:"code"`
		Description string `json:"description"`
		StatusCode  string `json:"statusCode"`
	}
	problem struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	errorAnswer struct {
		Response struct {
			Errors []problem `json:"errors"`
		} `json:"response"`
	}
)

// NotFoundWarning is the warning code of a number UPS does not know,
// answered with HTTP 200.
const NotFoundWarning = "TW0001"

// ParseTrack reads a 200 answer of the Track API about number. It returns
// carrier.ErrNotFound when UPS says it does not know the number (warning
// TW0001, or no package at all), and an error for a body it cannot read.
// Checkpoints come oldest first. ParseTrack never panics.
func ParseTrack(body []byte, number string) (carrier.FetchResult, error) {
	var a trackAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return carrier.FetchResult{}, fmt.Errorf("reading the answer: %w", err)
	}
	if len(a.TrackResponse.Shipment) == 0 {
		return carrier.FetchResult{}, errors.New("the answer has no shipment")
	}
	sh := a.TrackResponse.Shipment[0]
	if len(sh.Package) == 0 {
		for _, w := range sh.Warnings {
			if w.Code == NotFoundWarning {
				return carrier.FetchResult{}, fmt.Errorf("ups: %s: %w", carrierhttp.Reason(w.Message), carrier.ErrNotFound)
			}
		}
		return carrier.FetchResult{}, fmt.Errorf("ups: no package in the answer: %w", carrier.ErrNotFound)
	}
	p := sh.Package[0]
	for _, q := range sh.Package {
		if strings.EqualFold(q.TrackingNumber, number) {
			p = q
			break
		}
	}
	var res carrier.FetchResult
	res.PickupDate = isoDate(sh.PickupDate)

	prevSub := ""
	for i := len(p.Activity) - 1; i >= 0; i-- { // UPS lists the newest first
		act := p.Activity[i]
		sub, known := subtagOf(act.Status)
		if !known {
			if prevSub != "" {
				sub = prevSub // an update scan (type U) keeps the status
			} else if s, _ := matchMessage(act.Status.Description); s != "" {
				sub = s
			}
		}
		if sub == "" {
			sub = "InTransit_001" // a scan nobody can name still means UPS has seen the parcel
		}
		prevSub = sub
		cp := waybill.Checkpoint{
			Slug:           "ups",
			CheckpointTime: localTime(act.Date, act.Time, act.GMTOffset),
			Message:        carrierhttp.Clean(act.Status.Description),
			RawTag:         carrierhttp.Clean(rawTag(act.Status)),
			Tag:            tagOf(sub),
			Subtag:         sub,
		}
		country := act.Location.Address.CountryCode
		if country == "" {
			country = act.Location.Address.Country
		}
		carrierhttp.Place{City: act.Location.Address.City, State: act.Location.Address.StateProvince,
			Zip: act.Location.Address.PostalCode, Country: country}.Fill(&cp)
		if cp.CheckpointTime == "" {
			continue // a scan without a readable date says nothing dependable
		}
		res.Checkpoints = append(res.Checkpoints, cp)
	}

	fillDates(&res, p)
	info := p.DeliveryInformation
	res.SignedBy = carrierhttp.Clean(info.ReceivedBy)
	for _, proof := range []struct {
		raw  json.RawMessage
		kind string
	}{{info.Signature, "signature"}, {info.POD, "pod"}, {info.Photo, "photo"}} {
		if present(proof.raw) {
			res.ProofOfDelivery = append(res.ProofOfDelivery, "ups:"+proof.kind+":"+carrierhttp.Clean(number))
		}
	}
	return res, nil
}

// fillDates reads UPS's delivery dates: DEL is the delivery, RDD (a
// rescheduled date) overrides SDD (the scheduled one) as the estimate, and
// a deliveryTime window (EDW, CDW, IDW, CMT) turns the estimate into a
// window on that day.
func fillDates(res *carrier.FetchResult, p pkgState) {
	var scheduled, rescheduled, delivered string
	for _, d := range p.DeliveryDate {
		switch strings.ToUpper(strings.TrimSpace(d.Type)) {
		case "SDD":
			scheduled = d.Date
		case "RDD":
			rescheduled = d.Date
		case "DEL":
			delivered = d.Date
		}
	}
	t := p.DeliveryTime
	if delivered != "" {
		if strings.EqualFold(t.Type, "DEL") && t.EndTime != "" {
			res.DeliveryDate = localTime(delivered, t.EndTime, deliveryOffset(p))
		}
		if res.DeliveryDate == "" {
			res.DeliveryDate = isoDate(delivered)
		}
	}
	day := rescheduled
	if day == "" {
		day = scheduled
	}
	if isoDate(day) == "" {
		return
	}
	res.ExpectedDelivery = isoDate(day)
	switch strings.ToUpper(strings.TrimSpace(t.Type)) {
	case "EDW", "CDW", "IDW", "CMT":
		from, through := localTime(day, t.StartTime, ""), localTime(day, t.EndTime, "")
		if from != "" && through != "" {
			res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery = from, through, through
		} else if through != "" {
			res.ExpectedDelivery = through
		}
	}
}

// deliveryOffset is the UTC offset of the newest delivery scan, the
// local time of UPS's delivery date and time; "" when there is none.
func deliveryOffset(p pkgState) string {
	for _, a := range p.Activity {
		if strings.EqualFold(strings.TrimSpace(a.Status.Type), "D") {
			return a.GMTOffset
		}
	}
	return ""
}

// present reports whether a JSON value is there and not null or empty.
func present(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "{}" && s != `""`
}

// rawTag is the most specific code of a status, as Waybill shows it in
// raw_tag: the two-letter activity code, else the three-digit status
// code, else the type.
func rawTag(s status) string {
	for _, v := range []string{s.Code, s.StatusCode, s.Type} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// errorReason is UPS's message in an error envelope, or a generic one.
func errorReason(body []byte) string {
	var a errorAnswer
	if json.Unmarshal(body, &a) == nil && len(a.Response.Errors) > 0 {
		e := a.Response.Errors[0]
		return carrierhttp.Reason(strings.TrimSpace(e.Code + " " + e.Message))
	}
	return "no readable error"
}

// errorCode is the first code of an error envelope, or "".
func errorCode(body []byte) string {
	var a errorAnswer
	if json.Unmarshal(body, &a) == nil && len(a.Response.Errors) > 0 {
		return strings.TrimSpace(a.Response.Errors[0].Code)
	}
	return ""
}

// isoDate turns YYYYMMDD into YYYY-MM-DD, "" when it is not a date.
func isoDate(d string) string {
	d = strings.TrimSpace(d)
	if len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	iso := d[:4] + "-" + d[4:6] + "-" + d[6:]
	if !validDate(iso) {
		return ""
	}
	return carrierhttp.Time(iso)
}

// localTime turns YYYYMMDD and HHMMSS (or HH:MM:SS) with an optional
// offset ("-05:00", "-05.00", "-0500") into ISO 8601: with the offset when
// there is one, local time without it otherwise; "" when unreadable.
func localTime(d, t, offset string) string {
	date := isoDate(d)
	if date == "" {
		return ""
	}
	t = strings.ReplaceAll(strings.TrimSpace(t), ":", "")
	if t == "" {
		return date
	}
	if len(t) < 6 {
		t = strings.Repeat("0", 6-len(t)) + t
	}
	if len(t) != 6 || strings.Trim(t, "0123456789") != "" || t[:2] > "23" || t[2:4] > "59" || t[4:] > "59" {
		return date
	}
	return carrierhttp.Time(date + "T" + t[:2] + ":" + t[2:4] + ":" + t[4:] + normalizeOffset(offset))
}

// normalizeOffset reads a UTC offset as UPS writes it and returns it as
// ±HH:MM, or "" when it is absent or unreadable.
func normalizeOffset(o string) string {
	o = strings.TrimSpace(o)
	if o == "" {
		return ""
	}
	sign := o[0]
	if sign != '+' && sign != '-' {
		return ""
	}
	digits := strings.NewReplacer(":", "", ".", "").Replace(o[1:])
	if len(digits) == 3 {
		digits = "0" + digits
	}
	if len(digits) != 4 || strings.Trim(digits, "0123456789") != "" || digits[:2] > "14" || digits[2:] > "59" {
		return ""
	}
	return string(sign) + digits[:2] + ":" + digits[2:]
}

// validDate reports whether an ISO date names a real day.
func validDate(iso string) bool {
	_, err := time.Parse(time.DateOnly, iso)
	return err == nil
}
