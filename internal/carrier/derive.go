package carrier

import (
	"regexp"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// Derived is the part of a tracking computed from its checkpoints.
type Derived struct {
	Tag                  waybill.Tag
	Subtag               string
	Active               bool
	ShipmentPickupDate   string
	ShipmentDeliveryDate string
	DeliveryTime         *int // days in transit: pickup to delivery, or to now while undelivered
	SignedBy             string
	FirstAttemptedAt     string
}

// Apply copies the derived fields onto t.
func (d Derived) Apply(t *waybill.Tracking) {
	t.Tag, t.Subtag, t.Active = d.Tag, d.Subtag, d.Active
	t.ShipmentPickupDate, t.ShipmentDeliveryDate = d.ShipmentPickupDate, d.ShipmentDeliveryDate
	t.DeliveryTime, t.SignedBy, t.FirstAttemptedAt = d.DeliveryTime, d.SignedBy, d.FirstAttemptedAt
}

var signedBy = regexp.MustCompile(`(?i)signed (?:for )?by[:\s]+([^,.;()]+)`)

// Derive computes a tracking's status from its checkpoints at now. It is a
// pure function of the checkpoints as a set (order and duplicates do not
// matter), the tracking's completion (mark-as-completed wins), its
// last-news time, and now:
//   - the tag is the latest checkpoint's, except that Delivered stays once
//     reached unless a later checkpoint returns the parcel to its sender;
//   - a tracking with no news for expireAfter becomes Expired;
//   - Delivered and Expired trackings, and completed ones, are not active.
func Derive(t waybill.Tracking, cps []waybill.Checkpoint, now time.Time, expireAfter time.Duration) Derived {
	sorted, _ := MergeCheckpoints(nil, cps)
	d := Derived{Tag: waybill.TagPending, Subtag: waybill.DefaultSubtag(waybill.TagPending), Active: true}
	var delivered *waybill.Checkpoint
	var pickup, firstCp time.Time
	for i := range sorted {
		c := &sorted[i]
		at, _ := ParseCheckpointTime(c.CheckpointTime)
		if firstCp.IsZero() {
			firstCp = at
		}
		switch {
		case c.Tag == waybill.TagDelivered:
			if delivered == nil {
				delivered = c
				d.ShipmentDeliveryDate = c.CheckpointTime
			}
		case delivered != nil && (c.Subtag == "Exception_010" || c.Subtag == "Exception_011"):
			delivered, d.ShipmentDeliveryDate = nil, ""
		}
		if c.Tag == waybill.TagInTransit && pickup.IsZero() {
			pickup, d.ShipmentPickupDate = at, c.CheckpointTime
		}
		if d.FirstAttemptedAt == "" && (c.Tag == waybill.TagAttemptFail || c.Tag == waybill.TagDelivered || c.Tag == waybill.TagAvailableForPickup) {
			d.FirstAttemptedAt = c.CheckpointTime
		}
		if delivered == nil || c == delivered {
			d.Tag, d.Subtag = c.Tag, c.Subtag
		}
	}
	if delivered != nil {
		d.Tag, d.Subtag = delivered.Tag, delivered.Subtag
		if m := signedBy.FindStringSubmatch(delivered.Message); m != nil {
			d.SignedBy = strings.TrimSpace(m[1])
		}
	}
	start := pickup
	if start.IsZero() {
		start = firstCp
	}
	if !start.IsZero() {
		end := now
		if delivered != nil {
			end, _ = ParseCheckpointTime(delivered.CheckpointTime)
		}
		days := max(int(end.Sub(start).Hours()/24), 0)
		d.DeliveryTime = &days
	}

	switch {
	case t.CompletedReason != "":
		// Marked as completed by the user: keep the tag it set.
		d.Tag, d.Subtag, d.Active = t.Tag, t.Subtag, false
	case d.Tag == waybill.TagDelivered:
		d.Active = false
	case expireAfter > 0 && !lastNews(t).IsZero() && now.Sub(lastNews(t)) >= expireAfter:
		d.Tag, d.Subtag, d.Active = waybill.TagExpired, waybill.DefaultSubtag(waybill.TagExpired), false
	}
	return d
}

// lastNews is when the tracking last learned something: its last update
// from a carrier, or its creation.
func lastNews(t waybill.Tracking) time.Time {
	if t.LastUpdatedAt.After(t.CreatedAt) {
		return t.LastUpdatedAt
	}
	return t.CreatedAt
}
