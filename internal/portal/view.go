package portal

import (
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// Page is what one hosted page shows: one tracking, the trackings of one
// order, or the trackings found by a lookup.
type Page struct {
	OrgName   string // the branding's display name, else the organization's name
	Branding  waybill.Branding
	Language  string // the first shipment's language ("" when unknown)
	Order     *Order // set when the page is about an order
	Shipments []Shipment
	// Version identifies the data the page was made from: two pages of
	// the same kind with the same non-zero Version show the same, so a face
	// may reuse what it derived from one (its rendered bytes) for the
	// other. Any committed change to what the page shows gives another
	// Version; zero means none (never reuse).
	Version Version
	// Seen is set by TokenPage when the caller had seen Version: nothing
	// else is set then.
	Seen bool
}

// Version is a fingerprint of the stored data a page was made from
// (store.PageVersion); it is compared only within one process.
type Version [2]uint64

// Order is an order as its page shows it. Items and Recipient are set only
// when the visitor proved the order (order number plus email, phone or
// postal code).
type Order struct {
	Number    string
	Proven    bool
	Items     []Item
	Recipient *Recipient
}

// Item is one line of an order.
type Item struct {
	Name     string
	Quantity int
}

// Recipient is the personal data a proven order may show.
type Recipient struct {
	Name    string
	Address []string // street lines, then postal code and city
}

// Shipment is one tracking as a page shows it: never the customer's name,
// email, phone or street.
type Shipment struct {
	Token          string // page token: the shipment's own /t/{token} link
	TrackingNumber string
	// CourierName is the courier's name, or the organization's message when
	// it hides couriers (CourierHidden); CourierURL is then "".
	CourierName   string
	CourierURL    string
	CourierHidden bool
	Tag           waybill.Tag
	Subtag        string
	// SubtagMessage is the status detail in English, for the face to
	// translate by Subtag.
	SubtagMessage    string
	Steps            []Step
	Checkpoints      []Checkpoint // newest first
	ExpectedDelivery string       // YYYY-MM-DD, or ""
	Destination      string       // city, region, country; never a street
	UpdatedAt        time.Time
}

// StepState is where a shipment stands relative to one step of its timeline.
type StepState string

// The states of a timeline step.
const (
	StepDone    StepState = "done"
	StepCurrent StepState = "current"
	StepTodo    StepState = "todo"
	StepProblem StepState = "problem" // the step the shipment could not reach (exception, expired)
)

// Step is one stage of the status timeline.
type Step struct {
	Tag   waybill.Tag
	State StepState
}

// Checkpoint is one scan as a page shows it.
type Checkpoint struct {
	// Time is the scan's time in the organization's time zone, or with the
	// carrier's own offset; HasTime is false when the carrier's time could
	// not be read (Raw then holds it as given).
	Time    time.Time
	HasTime bool
	Zoned   bool // Time carries a real offset (a time zone worth naming)
	Raw     string
	Message string // as the carrier sent it
	// Location is city, region and country, or the organization's message
	// when it masks locations.
	Location string
	Tag      waybill.Tag
}

// timelineSteps are the stages every shipment goes through.
var timelineSteps = []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagOutForDelivery, waybill.TagDelivered}

// progress is how far along timelineSteps a tag is (-1: not started).
func progress(tag waybill.Tag) int {
	switch tag {
	case waybill.TagInfoReceived:
		return 0
	case waybill.TagInTransit:
		return 1
	case waybill.TagOutForDelivery, waybill.TagAttemptFail, waybill.TagAvailableForPickup:
		return 2
	case waybill.TagDelivered:
		return 3
	}
	return -1
}

// steps builds the timeline of a tracking: the steps reached so far, the
// current one, and those to come. An exception or expiry marks the step
// after the furthest one its checkpoints reached.
func steps(t waybill.Tracking) []Step {
	out := make([]Step, len(timelineSteps))
	reached := progress(t.Tag)
	problem := t.Tag == waybill.TagException || t.Tag == waybill.TagExpired
	if problem {
		for _, c := range t.Checkpoints {
			reached = max(reached, min(progress(c.Tag), 2))
		}
	}
	for i, tag := range timelineSteps {
		if i == 2 && t.Tag == waybill.TagAvailableForPickup {
			tag = waybill.TagAvailableForPickup
		}
		state := StepTodo
		switch {
		case i < reached || (i == reached && problem):
			state = StepDone
		case i == reached:
			state = StepCurrent
		case problem && i == reached+1:
			state = StepProblem
		}
		out[i] = Step{Tag: tag, State: state}
	}
	if t.Tag == waybill.TagDelivered {
		out[3].State = StepDone
	}
	return out
}

var checkpointLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"}

// checkpointTime reads the carrier's time. A time with an offset is moved to
// loc when loc is set; a time without one is the carrier's local wall time
// and stays as given.
func checkpointTime(raw string, created time.Time, loc *time.Location) (ts time.Time, ok, zoned bool) {
	if raw == "" {
		if created.IsZero() {
			return time.Time{}, false, false
		}
		raw = created.Format(time.RFC3339Nano)
	}
	for i, layout := range checkpointLayouts {
		parsed, err := time.Parse(layout, raw)
		if err != nil {
			continue
		}
		if i == 0 && loc != nil {
			parsed = parsed.In(loc)
		}
		return parsed, true, i == 0
	}
	return time.Time{}, false, false
}

// place joins city, region and country, skipping empty parts.
func place(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func countryName(iso3 string) string {
	if iso3 == "" {
		return ""
	}
	if n := waybill.CountryName(iso3); n != "" {
		return n
	}
	return iso3
}

// shipment turns a stored tracking into what a page may show of it.
func shipment(t waybill.Tracking, b waybill.Branding) Shipment {
	loc := b.Location()
	s := Shipment{
		Token: t.PageToken, TrackingNumber: t.TrackingNumber, Tag: t.Tag, Subtag: t.Subtag,
		SubtagMessage: waybill.SubtagMessage(t.Subtag), Steps: steps(t), UpdatedAt: t.UpdatedAt,
		ExpectedDelivery: dateOf(t.ExpectedDelivery),
		Destination: place(t.DestinationCity, t.DestinationState,
			countryName(cmpOr(t.DestinationCountryISO3, t.CourierFields.DestinationCountry))),
	}
	if s.Tag == "" {
		s.Tag = waybill.TagPending
	}
	if s.ExpectedDelivery == "" {
		s.ExpectedDelivery = dateOf(t.OrderPromisedDeliveryDate)
	}
	if b.HideCourier {
		s.CourierName, s.CourierHidden = b.CourierMessage, true
	} else if c, ok := courier.Lookup(t.Slug); ok {
		s.CourierName, s.CourierURL = c.Name, c.TrackingURL(t.TrackingNumber)
	} else {
		s.CourierName = t.Slug
	}
	s.Checkpoints = make([]Checkpoint, 0, len(t.Checkpoints))
	for _, c := range t.Checkpoints {
		ts, ok, zoned := checkpointTime(c.CheckpointTime, c.CreatedAt, loc)
		cp := Checkpoint{Time: ts, HasTime: ok, Zoned: zoned, Raw: c.CheckpointTime, Message: c.Message, Tag: c.Tag,
			Location: place(c.City, c.State, countryName(c.CountryISO3))}
		if cp.Location == "" {
			cp.Location = c.Location
		}
		if b.MaskLocations {
			cp.Location = b.LocationMessage
		}
		s.Checkpoints = append(s.Checkpoints, cp)
	}
	// Newest first: by time when every scan has a readable one, else the
	// stored (oldest first) order reversed.
	slices.Reverse(s.Checkpoints)
	if !slices.ContainsFunc(s.Checkpoints, func(c Checkpoint) bool { return !c.HasTime }) {
		slices.SortStableFunc(s.Checkpoints, func(a, b Checkpoint) int { return b.Time.Compare(a.Time) })
	}
	return s
}

// dateOf returns the YYYY-MM-DD part of a date or date-time, or "".
func dateOf(s string) string {
	if len(s) >= 10 {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return s[:10]
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
