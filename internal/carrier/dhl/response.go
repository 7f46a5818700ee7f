package dhl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// Wire types of TrackingShipments (DHL's OpenAPI 1.3.1 and 1.5.6), only
// the fields Waybill reads. The shipment id is a number or a string, so
// scalars are read with flexString.
type (
	shipmentsAnswer struct {
		Shipments []shipment `json:"shipments"`
	}
	shipment struct {
		ID                      flexString `json:"id"`
		Status                  event      `json:"status"`
		PickUpDate              flexString `json:"pickUpDate"`
		EstimatedTimeOfDelivery flexString `json:"estimatedTimeOfDelivery"`
		EstimatedTimeFrame      struct {
			From    flexString `json:"estimatedFrom"`
			Through flexString `json:"estimatedThrough"`
		} `json:"estimatedDeliveryTimeFrame"`
		Details struct {
			ProofOfDelivery struct {
				Timestamp    flexString `json:"timestamp"`
				SignatureURL flexString `json:"signatureUrl"`
				DocumentURL  flexString `json:"documentUrl"`
				Signed       person     `json:"signed"`
			} `json:"proofOfDelivery"`
		} `json:"details"`
		Events []event `json:"events"`
	}
	event struct {
		Timestamp      flexString `json:"timestamp"`
		Location       place      `json:"location"`
		StatusCode     flexString `json:"statusCode"`
		Status         flexString `json:"status"`
		StatusDetailed flexString `json:"statusDetailed"`
		Description    flexString `json:"description"`
	}
	place struct {
		Address struct {
			AddressLocality flexString `json:"addressLocality"`
			AddressRegion   flexString `json:"addressRegion"`
			PostalCode      flexString `json:"postalCode"`
			CountryCode     flexString `json:"countryCode"`
		} `json:"address"`
	}
	person struct {
		Name       flexString `json:"name"`
		GivenName  flexString `json:"givenName"`
		FamilyName flexString `json:"familyName"`
	}
	problem struct {
		Title  flexString `json:"title"`
		Detail flexString `json:"detail"`
		Status flexString `json:"status"`
	}
)

// flexString reads a JSON string, number, boolean or null as text;
// objects and arrays read as "".
type flexString string

// UnmarshalJSON reads any scalar.
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

// ParseShipments reads a 200 answer about number: the shipment whose id
// is number (else the first). An answer without shipments is
// carrier.ErrNotFound. Checkpoints come oldest first. ParseShipments
// never panics.
func ParseShipments(body []byte, number string) (carrier.FetchResult, error) {
	var a shipmentsAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return carrier.FetchResult{}, fmt.Errorf("reading the answer: %w", err)
	}
	if len(a.Shipments) == 0 {
		return carrier.FetchResult{}, fmt.Errorf("dhl %s: no shipment in the answer: %w", number, carrier.ErrNotFound)
	}
	sh := a.Shipments[0]
	for _, s := range a.Shipments {
		if strings.EqualFold(s.ID.String(), strings.TrimSpace(number)) {
			sh = s
			break
		}
	}
	events := sh.Events
	if len(events) == 0 && sh.Status.Timestamp != "" {
		events = []event{sh.Status} // a shipment may carry only its latest status
	}
	var res carrier.FetchResult
	prev := ""
	for i := len(events) - 1; i >= 0; i-- { // DHL lists the newest first
		e := events[i]
		when := timestamp(e.Timestamp.String())
		if when == "" {
			continue
		}
		sub := subtagOf(e.StatusCode.String(), e.Status.String(), e.Description.String(), prev)
		prev = sub
		msg := e.Description.String()
		if msg == "" {
			msg = e.Status.String()
		}
		raw := e.StatusDetailed.String()
		if raw == "" {
			raw = e.StatusCode.String()
		}
		cp := waybill.Checkpoint{Slug: "dhl", CheckpointTime: when, Message: carrierhttp.Clean(msg),
			RawTag: carrierhttp.Clean(raw), Tag: tagOf(sub), Subtag: sub}
		ad := e.Location.Address
		carrierhttp.Place{City: ad.AddressLocality.String(), State: ad.AddressRegion.String(), Zip: ad.PostalCode.String(),
			Country: ad.CountryCode.String()}.Fill(&cp)
		res.Checkpoints = append(res.Checkpoints, cp)
		if tagOf(sub) == waybill.TagDelivered {
			res.DeliveryDate = when
		}
	}
	if len(events) > 0 && len(res.Checkpoints) == 0 {
		return carrier.FetchResult{}, errors.New("no event has a readable time")
	}
	pod := sh.Details.ProofOfDelivery
	if t := timestamp(pod.Timestamp.String()); t != "" && res.DeliveryDate != "" {
		res.DeliveryDate = t
	}
	res.PickupDate = timestamp(sh.PickUpDate.String())
	res.ExpectedDelivery = timestamp(sh.EstimatedTimeOfDelivery.String())
	from, through := timestamp(sh.EstimatedTimeFrame.From.String()), timestamp(sh.EstimatedTimeFrame.Through.String())
	if from != "" && through != "" {
		res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery = from, through, through
	}
	res.SignedBy = signer(pod.Signed)
	for _, u := range []string{pod.SignatureURL.String(), pod.DocumentURL.String()} {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			res.ProofOfDelivery = append(res.ProofOfDelivery, carrierhttp.Clean(u))
		}
	}
	return res, nil
}

// signer is the name of whoever signed: given and family name, else name.
func signer(p person) string {
	full := strings.TrimSpace(p.GivenName.String() + " " + p.FamilyName.String())
	if p.GivenName == "" || p.FamilyName == "" {
		full = ""
	}
	if full == "" {
		full = p.Name.String()
	}
	return carrierhttp.Clean(full)
}

// timeLayouts are DHL's forms: ISO 8601 with or without offset, with or
// without fractional seconds, or a date.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly}

// timestamp returns DHL's time as it is (an offset only when DHL gives
// one) when it reads as one, "" otherwise.
func timestamp(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return carrierhttp.Time(s)
		}
	}
	return ""
}

// problemReason is DHL's explanation in a problem+json body.
func problemReason(body []byte) string {
	var p problem
	if json.Unmarshal(body, &p) == nil && (p.Title != "" || p.Detail != "") {
		return carrierhttp.Reason(strings.TrimSpace(p.Title.String() + ": " + p.Detail.String()))
	}
	return "no readable error"
}
