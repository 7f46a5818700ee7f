package waybill

import (
	"cmp"
	"regexp"
	"strings"
	"time"
)

// DefaultExpireAfter is how long a tracking may go without news before it
// becomes Expired, as on AfterShip. Derive uses it when given no duration.
const DefaultExpireAfter = 30 * 24 * time.Hour

// Derived is the part of a tracking computed from its checkpoints.
type Derived struct {
	Tag    Tag
	Subtag string // always belongs to Tag
	// Active is false once the tracking is Delivered, Expired or marked as
	// completed: such a tracking is no longer polled.
	Active bool
	// Expired is true when the tracking had no news for the expiry period
	// (Tag is then Expired and Subtag Expired_001).
	Expired bool
	// ExpectedDelivery is the tracking's own: checkpoints carry no estimate,
	// so the carrier's (News.ExpectedDelivery) is stored on the
	// tracking before Derive runs.
	ExpectedDelivery string
	// ShipmentPickupDate is the carrier's own pickup date
	// (t.CarrierPickupDate) when it gave one, else the checkpoint time of
	// the first InTransit checkpoint, as written by the carrier; "" before
	// pickup.
	ShipmentPickupDate string
	// ShipmentDeliveryDate is, while Delivered, the carrier's own delivery
	// date (t.CarrierDeliveryDate) when it gave one, else the checkpoint
	// time of the first Delivered checkpoint of the current delivery; ""
	// while undelivered.
	ShipmentDeliveryDate string
	// DeliveryTime is AfterShip's delivery_time, never nil: whole calendar
	// days from the first checkpoint to delivery, or to now while
	// undelivered; 0 without checkpoints.
	DeliveryTime *int
	// SignedBy is the name in a Delivered checkpoint's message ("Signed by:
	// J. SMITH"), else the tracking's own SignedBy (the carrier's field,
	// News.SignedBy) while Delivered; "" while undelivered.
	SignedBy string
	// FirstAttemptedAt is the checkpoint time of the first AttemptFail,
	// Delivered or AvailableForPickup checkpoint: the carrier's first
	// attempt to hand the parcel over. "" before any attempt.
	FirstAttemptedAt string
	// ReturnToSender is true when any checkpoint is Exception_010
	// (returning to sender) or Exception_011 (returned to sender), or the
	// tracking was marked as completed with RETURNED_TO_SENDER.
	ReturnToSender bool
}

// Apply copies the derived fields onto t.
func (d Derived) Apply(t *Tracking) {
	t.Tag, t.Subtag, t.Active = d.Tag, d.Subtag, d.Active
	t.ExpectedDelivery = d.ExpectedDelivery
	t.ShipmentPickupDate, t.ShipmentDeliveryDate = d.ShipmentPickupDate, d.ShipmentDeliveryDate
	t.DeliveryTime, t.SignedBy, t.FirstAttemptedAt = d.DeliveryTime, d.SignedBy, d.FirstAttemptedAt
	t.ReturnToSender = d.ReturnToSender
}

// signedBy finds the recipient's name in a delivery message: "Signed by:
// J. SMITH", "signed for by Alex", "Received by: Front desk".
var signedBy = regexp.MustCompile(`(?i)\b(?:signed\s+(?:for\s+)?by|received\s+by)\s*:?\s*([^,;():\s][^,;()\n]*)`)

func signerOf(message string) string {
	m := signedBy.FindStringSubmatch(message)
	if m == nil {
		return ""
	}
	name := strings.TrimRight(strings.TrimSpace(m[1]), ".")
	if len(name) > 64 {
		return ""
	}
	return name
}

// isReturn reports whether a subtag sends the parcel back to its sender.
func isReturn(subtag string) bool { return subtag == "Exception_010" || subtag == "Exception_011" }

// Derive computes a tracking's status at now from its checkpoints.
//
// It is a pure function of the set of checkpoints (order and duplicates do
// not matter), now, expireAfter (DefaultExpireAfter when not positive) and
// these fields of t, none of which Derive itself sets except as noted:
// CreatedAt, LastUpdatedAt, CompletedReason, ExpectedDelivery and SignedBy
// (both carried over), CarrierPickupDate and CarrierDeliveryDate, so
// Derive(Apply(Derive(t))) gives the same result.
//
//   - The tag is the latest checkpoint's, except that Delivered stays once
//     reached unless a later checkpoint returns the parcel to its sender
//     (Exception_010 or Exception_011); later scans of a delivered parcel
//     (a stray "out for delivery") are ignored.
//   - An undelivered tracking with no news for expireAfter is Expired.
//     News is the latest of CreatedAt, LastUpdatedAt and the latest
//     checkpoint time.
//   - A tracking marked as completed keeps the status its reason means
//     (DELIVERED → Delivered_001, LOST → Exception_013,
//     RETURNED_TO_SENDER → Exception_011) and is inactive.
//   - Delivered and Expired trackings are inactive, all others active.
func Derive(t Tracking, cps []Checkpoint, now time.Time, expireAfter time.Duration) Derived {
	if expireAfter <= 0 {
		expireAfter = DefaultExpireAfter
	}
	sorted, _ := MergeCheckpoints(nil, cps)
	d := Derived{
		Tag: TagPending, Subtag: DefaultSubtag(TagPending), Active: true,
		ExpectedDelivery: t.ExpectedDelivery,
	}
	var (
		delivered      bool       // the parcel is delivered, as of the scan being read
		deliveredFirst Checkpoint // first scan of the current delivery
		first, latest  time.Time  // parseable checkpoint times
		firstCp        *Checkpoint
	)
	for i := range sorted {
		c := sorted[i]
		at, err := ParseCheckpointTime(c.CheckpointTime)
		if err == nil {
			if firstCp == nil {
				firstCp, first = &sorted[i], at
			}
			latest = at // sorted, so the last parseable one is the latest
		}
		if c.Tag == TagInTransit && d.ShipmentPickupDate == "" {
			d.ShipmentPickupDate = c.CheckpointTime
		}
		if d.FirstAttemptedAt == "" && (c.Tag == TagAttemptFail || c.Tag == TagDelivered ||
			c.Tag == TagAvailableForPickup) {
			d.FirstAttemptedAt = c.CheckpointTime
		}
		if isReturn(c.Subtag) {
			d.ReturnToSender = true
		}
		switch {
		case c.Tag == TagDelivered:
			if !delivered {
				delivered, deliveredFirst, d.SignedBy = true, c, ""
			}
			if name := signerOf(c.Message); name != "" {
				d.SignedBy = name
			}
		case delivered && !isReturn(c.Subtag):
			continue // Delivered is sticky
		default:
			delivered, d.SignedBy = false, ""
		}
		d.Tag, d.Subtag = c.Tag, c.Subtag
	}
	if !d.Tag.Valid() || !ValidSubtag(d.Tag, d.Subtag) {
		// A checkpoint that was never tagged (internal/carrier tags raw
		// statuses before they get here): keep its tag if it is one,
		// with the tag's generic subtag.
		if !d.Tag.Valid() {
			d.Tag = TagInTransit
		}
		d.Subtag = DefaultSubtag(d.Tag)
	}

	days := 0
	if delivered {
		d.ShipmentDeliveryDate = cmp.Or(t.CarrierDeliveryDate, deliveredFirst.CheckpointTime)
		if d.SignedBy == "" {
			d.SignedBy = t.SignedBy
		}
		if end, err := ParseCheckpointTime(deliveredFirst.CheckpointTime); err == nil && firstCp != nil {
			days = calendarDays(first, end)
		}
	} else if firstCp != nil {
		days = calendarDays(first, now.In(first.Location()))
	}
	d.DeliveryTime = &days
	if t.CarrierPickupDate != "" {
		d.ShipmentPickupDate = t.CarrierPickupDate
	}

	lastNews := t.CreatedAt
	for _, at := range []time.Time{t.LastUpdatedAt, latest} {
		if at.After(lastNews) {
			lastNews = at
		}
	}
	switch {
	case t.CompletedReason != "":
		d.Active = false
		switch t.CompletedReason {
		case "DELIVERED":
			d.Tag, d.Subtag = TagDelivered, "Delivered_001"
		case "LOST":
			d.Tag, d.Subtag = TagException, "Exception_013"
		case "RETURNED_TO_SENDER":
			d.Tag, d.Subtag, d.ReturnToSender = TagException, "Exception_011", true
		}
	case delivered:
		d.Active = false
	case !lastNews.IsZero() && now.Sub(lastNews) >= expireAfter:
		d.Tag, d.Subtag = TagExpired, DefaultSubtag(TagExpired)
		d.Active, d.Expired = false, true
	}
	return d
}

// calendarDays counts the days from a's date to b's date, each as written
// in its own offset, so a parcel scanned at 23:00 and delivered at 09:00
// the next day took one day. It is never negative.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	n := int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return max(n, 0)
}
