package carrier

import (
	"context"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// SandboxSlug is the built-in test courier.
const SandboxSlug = courier.SandboxSlug

// scan is one step of a sandbox journey.
type scan struct {
	rawTag, subtag, message, city, iso3 string
}

// SandboxJourney documents one of the sandbox courier's test numbers.
type SandboxJourney struct {
	Prefix  string // the test number, optionally followed by digits
	Outcome string
	Steps   int // scans, one per step
	scans   []scan
	expire  bool
}

var journeys = []SandboxJourney{
	{Prefix: "SBXDELIVERED", Outcome: "delivered", scans: []scan{
		{"label", "InfoReceived_001", "Shipment information received", "Leeds", "GBR"},
		{"pickup", "InTransit_002", "Picked up by courier", "Leeds", "GBR"},
		{"hub", "InTransit_003", "Arrived at sorting hub", "Manchester", "GBR"},
		{"depart", "InTransit_007", "Departed sorting hub", "Manchester", "GBR"},
		{"ofd", "OutForDelivery_001", "Out for delivery", "London", "GBR"},
		{"delivered", "Delivered_003", "Delivered, signed by: A. Customer", "London", "GBR"},
	}},
	{Prefix: "SBXATTEMPTFAIL", Outcome: "delivered after a failed attempt", scans: []scan{
		{"label", "InfoReceived_001", "Shipment information received", "Lyon", "FRA"},
		{"pickup", "InTransit_002", "Picked up by courier", "Lyon", "FRA"},
		{"ofd", "OutForDelivery_001", "Out for delivery", "Paris", "FRA"},
		{"attempt", "AttemptFail_002", "Delivery attempted: addressee not available, notice left", "Paris", "FRA"},
		{"ofd", "OutForDelivery_001", "Out for delivery, second attempt", "Paris", "FRA"},
		{"delivered", "Delivered_001", "Delivered", "Paris", "FRA"},
	}},
	{Prefix: "SBXPICKUP", Outcome: "available for pickup, then picked up", scans: []scan{
		{"label", "InfoReceived_001", "Shipment information received", "Utrecht", "NLD"},
		{"pickup", "InTransit_002", "Accepted at drop-off point", "Utrecht", "NLD"},
		{"hub", "InTransit_003", "Arrived at sorting centre", "Amsterdam", "NLD"},
		{"ready", "AvailableForPickup_001", "Ready for pickup at the parcel point", "Amsterdam", "NLD"},
		{"collected", "Delivered_002", "Picked up by customer", "Amsterdam", "NLD"},
	}},
	{Prefix: "SBXEXCEPTION", Outcome: "exception (customs delay), then delivered", scans: []scan{
		{"label", "InfoReceived_001", "Shipment information received", "Shenzhen", "CHN"},
		{"pickup", "InTransit_002", "Picked up by courier", "Shenzhen", "CHN"},
		{"export", "InTransit_007", "Departed origin country", "Hong Kong", "HKG"},
		{"arrived", "InTransit_004", "Arrived in destination country", "Frankfurt", "DEU"},
		{"customs", "Exception_004", "Held by customs: clearance delay", "Frankfurt", "DEU"},
		{"cleared", "InTransit_005", "Customs clearance completed", "Frankfurt", "DEU"},
		{"ofd", "OutForDelivery_001", "Out for delivery", "Berlin", "DEU"},
		{"delivered", "Delivered_001", "Delivered", "Berlin", "DEU"},
	}},
	{Prefix: "SBXRETURNED", Outcome: "returned to sender", scans: []scan{
		{"label", "InfoReceived_001", "Shipment information received", "Toronto", "CAN"},
		{"pickup", "InTransit_002", "Picked up by courier", "Toronto", "CAN"},
		{"ofd", "OutForDelivery_001", "Out for delivery", "Ottawa", "CAN"},
		{"address", "Exception_007", "Incorrect address: delivery not possible", "Ottawa", "CAN"},
		{"return", "Exception_010", "Returning to sender", "Ottawa", "CAN"},
		{"returned", "Exception_011", "Returned to sender", "Toronto", "CAN"},
	}},
	{Prefix: "SBXEXPIRED", Outcome: "stuck pending until expired", expire: true, scans: make([]scan, 6)},
}

func init() {
	for i := range journeys {
		journeys[i].Steps = len(journeys[i].scans)
	}
}

// SandboxJourneys lists the sandbox courier's test numbers, for the docs.
func SandboxJourneys() []SandboxJourney { return journeys }

// SandboxPollInterval is how often sandbox trackings are polled: every step.
func SandboxPollInterval(step time.Duration) time.Duration { return step }

// Sandbox is the built-in test courier: its test numbers play out realistic
// journeys in accelerated time, one scan per step after the tracking is
// created, so a new user sees a tracking move on the API, the page and the
// webhooks within minutes.
type Sandbox struct {
	Step time.Duration
	Now  func() time.Time
}

// NewSandbox returns the sandbox connector with the given step.
func NewSandbox(step time.Duration) *Sandbox { return &Sandbox{Step: step, Now: time.Now} }

func journeyOf(number string) (SandboxJourney, bool) {
	// Longest prefix first: SBXEXPIRED must not be read as SBXEXCEPTION.
	var best SandboxJourney
	found := false
	for _, j := range journeys {
		rest, ok := strings.CutPrefix(number, j.Prefix)
		if ok && strings.Trim(rest, "0123456789") == "" && len(j.Prefix) > len(best.Prefix) {
			best, found = j, true
		}
	}
	return best, found
}

// Fetch returns the scans of the number's journey that have happened by
// now: scan k at CreatedAt + k*Step. An unknown number is ErrNotFound.
func (s *Sandbox) Fetch(_ context.Context, req FetchRequest) (FetchResult, error) {
	j, ok := journeyOf(req.TrackingNumber)
	if !ok {
		return FetchResult{}, ErrNotFound
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	step := s.Step
	if step <= 0 {
		step = time.Minute
	}
	due := int(now.Sub(req.CreatedAt) / step)
	if j.expire {
		return FetchResult{Expired: due >= j.Steps}, nil
	}
	var res FetchResult
	for k := 0; k < min(due, len(j.scans)); k++ {
		sc := j.scans[k]
		at := req.CreatedAt.Add(time.Duration(k+1) * step).UTC().Format(time.RFC3339Nano)
		tag := tagOf(sc.subtag)
		res.Checkpoints = append(res.Checkpoints, waybill.Checkpoint{
			Slug: SandboxSlug, CheckpointTime: at, Message: sc.message, City: sc.city, CountryISO3: sc.iso3,
			CountryName: waybill.CountryName(sc.iso3), Location: sc.city + ", " + waybill.CountryName(sc.iso3),
			RawTag: strings.ToUpper(sc.rawTag), Tag: tag, Subtag: sc.subtag,
		})
	}
	if len(j.scans) > 0 && due < len(j.scans) {
		eta := req.CreatedAt.Add(time.Duration(len(j.scans)) * step).UTC().Format(time.RFC3339)
		res.ExpectedDelivery = eta
	}
	return res, nil
}
