package carrier

import (
	"context"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// SandboxSlug is the slug of the built-in test courier.
const SandboxSlug = courier.SandboxSlug

// DefaultSandboxStep is the time between a sandbox journey's scans when
// none is configured.
const DefaultSandboxStep = time.Minute

// sandboxScan is one step of a sandbox journey.
type sandboxScan struct {
	rawTag, subtag, message, city, iso3 string
	// edd, when positive, is the step at which this scan says the parcel
	// will arrive: the journey's expected delivery from then on.
	edd int
}

// SandboxJourney documents one of the sandbox courier's test numbers.
type SandboxJourney struct {
	// Prefix is the test number; it may be followed by digits
	// (SBXDELIVERED, SBXDELIVERED0001, …) to create many trackings.
	Prefix string
	// Outcome says in words how the journey ends.
	Outcome string
	// Steps is the number of scans, one per step after the tracking's
	// creation; for the expired journey, the steps until the carrier
	// gives up (FetchResult.Expired).
	Steps int
	// FinalTag and FinalSubtag are the tracking's status once the journey
	// is over.
	FinalTag    waybill.Tag
	FinalSubtag string

	scans  []sandboxScan
	expire bool
}

// sandboxJourneys are the test numbers. Raw tags are the sandbox's own
// codes, which MapStatus knows (statusTables["sandbox"]).
var sandboxJourneys = []SandboxJourney{
	{Prefix: "SBXDELIVERED", Outcome: "delivered, signed for", scans: []sandboxScan{
		{"LABEL", "InfoReceived_001", "Shipping label created, shipment information received", "Leeds", "GBR", 6},
		{"PICKUP", "InTransit_002", "Picked up by courier", "Leeds", "GBR", 0},
		{"ARRIVAL", "InTransit_003", "Arrived at sorting hub", "Manchester", "GBR", 0},
		{"DEPARTURE", "InTransit_007", "Departed sorting hub", "Manchester", "GBR", 0},
		{"OFD", "OutForDelivery_001", "Out for delivery", "London", "GBR", 0},
		{"SIGNED", "Delivered_003", "Delivered, signed by: A. CUSTOMER", "London", "GBR", 0},
	}},
	{Prefix: "SBXATTEMPTFAIL", Outcome: "delivered after a failed attempt", scans: []sandboxScan{
		{"LABEL", "InfoReceived_001", "Shipping label created, shipment information received", "Lyon", "FRA", 5},
		{"PICKUP", "InTransit_002", "Picked up by courier", "Lyon", "FRA", 0},
		{"ARRIVAL", "InTransit_003", "Arrived at delivery depot", "Paris", "FRA", 0},
		{"OFD", "OutForDelivery_001", "Out for delivery", "Paris", "FRA", 0},
		{"NOT_HOME", "AttemptFail_002", "Delivery attempted: addressee not available, notice left", "Paris", "FRA", 7},
		{"OFD", "OutForDelivery_001", "Out for delivery, second attempt", "Paris", "FRA", 0},
		{"DELIVERED", "Delivered_001", "Delivered to the front door", "Paris", "FRA", 0},
	}},
	{Prefix: "SBXPICKUP", Outcome: "available for pickup, then picked up", scans: []sandboxScan{
		{"LABEL", "InfoReceived_001", "Shipping label created, shipment information received", "Utrecht", "NLD", 4},
		{"PICKUP", "InTransit_002", "Accepted at drop-off point", "Utrecht", "NLD", 0},
		{"ARRIVAL", "InTransit_003", "Arrived at sorting centre", "Amsterdam", "NLD", 0},
		{"READY", "AvailableForPickup_001", "Ready for pickup at the parcel point", "Amsterdam", "NLD", 0},
		{"COLLECTED", "Delivered_002", "Picked up by the customer at the parcel point", "Amsterdam", "NLD", 0},
	}},
	{Prefix: "SBXEXCEPTION", Outcome: "customs delay (exception), then delivered", scans: []sandboxScan{
		{"LABEL", "InfoReceived_001", "Shipping label created, shipment information received", "Shenzhen", "CHN", 6},
		{"PICKUP", "InTransit_002", "Picked up by courier", "Shenzhen", "CHN", 0},
		{"EXPORT", "InTransit_007", "Departed origin facility", "Hong Kong", "HKG", 0},
		{"IMPORT", "InTransit_004", "Arrived in destination country", "Frankfurt", "DEU", 0},
		{"CUSTOMS_HOLD", "Exception_004", "Held by customs: clearance delay", "Frankfurt", "DEU", 8},
		{"CUSTOMS_CLEARED", "InTransit_005", "Customs clearance completed", "Frankfurt", "DEU", 0},
		{"OFD", "OutForDelivery_001", "Out for delivery", "Berlin", "DEU", 0},
		{"DELIVERED", "Delivered_001", "Delivered to the recipient", "Berlin", "DEU", 0},
	}},
	{Prefix: "SBXRETURNED", Outcome: "incorrect address, returned to sender", scans: []sandboxScan{
		{"LABEL", "InfoReceived_001", "Shipping label created, shipment information received", "Toronto", "CAN", 5},
		{"PICKUP", "InTransit_002", "Picked up by courier", "Toronto", "CAN", 0},
		{"ARRIVAL", "InTransit_003", "Arrived at delivery depot", "Ottawa", "CAN", 0},
		{"OFD", "OutForDelivery_001", "Out for delivery", "Ottawa", "CAN", 0},
		{"BAD_ADDRESS", "Exception_007", "Incorrect address: delivery not possible", "Ottawa", "CAN", 0},
		{"RETURNING", "Exception_010", "Returning to sender", "Ottawa", "CAN", 0},
		{"RETURNED", "Exception_011", "Returned to sender", "Toronto", "CAN", 0},
	}},
	{Prefix: "SBXEXPIRED", Outcome: "no scans; pending until the carrier gives up (Expired)", Steps: 6, expire: true},
}

func init() {
	table := map[string]string{}
	for i := range sandboxJourneys {
		j := &sandboxJourneys[i]
		if j.expire {
			j.FinalTag, j.FinalSubtag = waybill.TagExpired, waybill.DefaultSubtag(waybill.TagExpired)
			continue
		}
		j.Steps = len(j.scans)
		last := j.scans[len(j.scans)-1]
		j.FinalTag, j.FinalSubtag = tagOf(last.subtag), last.subtag
		for _, s := range j.scans {
			table[normalizeRaw(s.rawTag)] = s.subtag
		}
	}
	statusTables[SandboxSlug] = table
}

// SandboxNumbers lists the sandbox courier's test numbers, in a fixed
// order, for the documentation. The slice is the caller's to modify.
func SandboxNumbers() []SandboxJourney {
	out := make([]SandboxJourney, len(sandboxJourneys))
	copy(out, sandboxJourneys)
	return out
}

// SandboxPollInterval is how often a sandbox tracking is polled: every
// step, so that each scan shows up as soon as it happens.
func SandboxPollInterval(step time.Duration) time.Duration {
	if step <= 0 {
		return DefaultSandboxStep
	}
	return step
}

// normalizeSandboxNumber upper-cases a number and drops spaces and dashes,
// as Waybill's tracking-number normalizer does.
func normalizeSandboxNumber(number string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, number)
}

// sandboxJourneyOf returns the journey of a test number: a prefix followed
// by nothing but digits.
func sandboxJourneyOf(number string) (SandboxJourney, bool) {
	number = normalizeSandboxNumber(number)
	for _, j := range sandboxJourneys {
		rest, ok := strings.CutPrefix(number, j.Prefix)
		if ok && strings.Trim(rest, "0123456789") == "" {
			return j, true
		}
	}
	return SandboxJourney{}, false
}

// sandboxClock returns the journey's start (createdAt to the millisecond,
// so that a creation time read back from the database at a coarser
// precision gives the same checkpoint times) and how many steps are done
// by now.
func sandboxClock(createdAt, now time.Time, step time.Duration) (start time.Time, done int) {
	step = SandboxPollInterval(step)
	start = createdAt.UTC().Truncate(time.Millisecond)
	if now.Before(start) {
		return start, 0
	}
	return start, int(min(now.Sub(start)/step, 1<<20))
}

// SandboxFetch is the sandbox courier's answer at now for a tracking
// created at createdAt: the journey's scans done by then, scan k (k = 1…
// Steps) at createdAt + k*step, in RFC 3339 UTC. It is a pure function of
// its arguments (step ≤ 0 means DefaultSandboxStep). The number is
// normalized first (upper case, no spaces or dashes); a number that is not
// a test number is ErrNotFound. ExpectedDelivery is the latest estimate
// announced so far (the exception journey revises it), and Expired is true
// once the expired journey has run its steps.
func SandboxFetch(number string, createdAt, now time.Time, step time.Duration) (FetchResult, error) {
	j, ok := sandboxJourneyOf(number)
	if !ok {
		return FetchResult{}, ErrNotFound
	}
	step = SandboxPollInterval(step)
	start, done := sandboxClock(createdAt, now, step)
	if j.expire {
		return FetchResult{Expired: done >= j.Steps}, nil
	}
	var res FetchResult
	for k := 1; k <= min(done, len(j.scans)); k++ {
		sc := j.scans[k-1]
		country := waybill.CountryName(sc.iso3)
		res.Checkpoints = append(res.Checkpoints, waybill.Checkpoint{
			Slug:           SandboxSlug,
			CheckpointTime: start.Add(time.Duration(k) * step).Format(time.RFC3339Nano),
			City:           sc.city, CountryISO3: sc.iso3, CountryName: country, Location: sc.city + ", " + country,
			Message: sc.message, RawTag: sc.rawTag, Tag: tagOf(sc.subtag), Subtag: sc.subtag,
		})
		if sc.edd > 0 {
			res.ExpectedDelivery = start.Add(time.Duration(sc.edd) * step).Format(time.RFC3339Nano)
		}
	}
	return res, nil
}

// SandboxNextScan returns when the next scan of a sandbox tracking is due,
// for the poller: ok is false once the journey is over (or the number is
// not a test number), when the normal cadence can take over.
func SandboxNextScan(number string, createdAt, now time.Time, step time.Duration) (at time.Time, ok bool) {
	j, found := sandboxJourneyOf(number)
	if !found {
		return time.Time{}, false
	}
	step = SandboxPollInterval(step)
	start, done := sandboxClock(createdAt, now, step)
	if done >= j.Steps {
		return time.Time{}, false
	}
	return start.Add(time.Duration(done+1) * step), true
}

// Sandbox is the built-in test courier's connector: its test numbers play
// out realistic journeys in accelerated time, one scan per Step after the
// tracking is created, so that a new user sees a tracking move through the
// API, the tracking page and the webhooks within minutes. See
// SandboxNumbers and SandboxFetch.
type Sandbox struct {
	Step time.Duration    // time between scans; ≤ 0 means DefaultSandboxStep
	Now  func() time.Time // the clock; nil means time.Now
}

var _ Connector = (*Sandbox)(nil)

// NewSandbox returns the sandbox connector with the given step and the
// real clock.
func NewSandbox(step time.Duration) *Sandbox { return &Sandbox{Step: step, Now: time.Now} }

// Fetch returns SandboxFetch(req.TrackingNumber, req.CreatedAt, now,
// s.Step), or ctx's error when ctx is done.
func (s *Sandbox) Fetch(ctx context.Context, req FetchRequest) (FetchResult, error) {
	if err := ctx.Err(); err != nil {
		return FetchResult{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return SandboxFetch(req.TrackingNumber, req.CreatedAt, now(), s.Step)
}
