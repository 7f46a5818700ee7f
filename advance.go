package waybill

import "time"

// News is what Waybill learns about a tracking at one time: the checkpoints
// of a carrier poll or a push, already tagged (internal/carrier maps a
// carrier's raw statuses to tags and subtags), and what the carrier says
// beside them. The zero News is "no news", which still lets time pass: an
// expiry sweep advances a tracking with it.
type News struct {
	// Checkpoints are scans, in any order, possibly ones already stored.
	Checkpoints []Checkpoint
	// ExpectedDelivery is the carrier's estimate (ISO 8601); "" keeps the
	// tracking's.
	ExpectedDelivery string
	// ExpectedDeliveryMin and ExpectedDeliveryMax bound the estimate when
	// the carrier gives a window. A new estimate (ExpectedDelivery, or
	// the window's end when ExpectedDelivery is "") replaces the
	// tracking's date and window together.
	ExpectedDeliveryMin string
	ExpectedDeliveryMax string
	// PickupDate and DeliveryDate are the carrier's own dates (ISO 8601);
	// "" keeps the tracking's.
	PickupDate   string
	DeliveryDate string
	// ProofOfDelivery is what the carrier offers as proof; nil keeps the
	// tracking's.
	ProofOfDelivery []string
	// SignedBy is the recipient's name when the carrier reports it in a
	// field rather than in a checkpoint message; "" keeps the tracking's.
	SignedBy string
	// Expired is true when the carrier says it will never have news: a
	// tracking that is not Delivered becomes Expired.
	Expired bool
}

// Advance applies news to t at now and returns how many checkpoints were
// new and the events the change causes. It is the whole status step of a
// tracking, and it is pure (no I/O, no clock but now):
//
//  1. the checkpoints are merged into t's (MergeCheckpoints: each scan
//     once, in time order, whatever order and however often they arrive),
//     and LastUpdatedAt becomes now when any was new;
//  2. the carrier's estimate (date and window), its pickup and delivery
//     dates, proof of delivery and signer, when given, replace t's; the
//     first estimate is also kept as FirstExpectedDelivery;
//  3. the status and dates are derived from the merged set (Derive, with
//     expireAfter; DefaultExpireAfter when not positive), then a carrier
//     that gave up (Expired) makes a tracking not yet Delivered or Expired
//     Expired;
//  4. UpdatedAt becomes now, and the events are those of Changes from t as
//     it was to t as it is, each with a snapshot of t after the change.
//
// The caller stores t and writes the events in one transaction.
func (t *Tracking) Advance(news News, now time.Time, expireAfter time.Duration) (added int, events []Event) {
	before := *t
	merged, fresh := MergeCheckpoints(t.Checkpoints, news.Checkpoints)
	t.Checkpoints = merged
	news.applyCarrierFields(t)
	if len(fresh) > 0 {
		t.LastUpdatedAt = now
	}
	d := Derive(*t, merged, now, expireAfter)
	if news.Expired && !d.Tag.Terminal() {
		d.Tag, d.Subtag, d.Active, d.Expired = TagExpired, DefaultSubtag(TagExpired), false, true
	}
	d.Apply(t)
	t.UpdatedAt = now
	return len(fresh), changeEvents(before, *t, now)
}

// applyCarrierFields copies what the carrier said beside its checkpoints
// onto t; an empty field keeps t's.
func (n News) applyCarrierFields(t *Tracking) {
	estimate := n.ExpectedDelivery
	if estimate == "" {
		estimate = n.ExpectedDeliveryMax
	}
	if estimate == "" {
		estimate = n.ExpectedDeliveryMin
	}
	if estimate != "" {
		t.ExpectedDelivery, t.ExpectedDeliveryMin, t.ExpectedDeliveryMax = estimate, n.ExpectedDeliveryMin, n.ExpectedDeliveryMax
		if t.FirstExpectedDelivery == "" {
			t.FirstExpectedDelivery = estimate
		}
	}
	if n.PickupDate != "" {
		t.CarrierPickupDate = n.PickupDate
	}
	if n.DeliveryDate != "" {
		t.CarrierDeliveryDate = n.DeliveryDate
	}
	if len(n.ProofOfDelivery) > 0 {
		t.ProofOfDelivery = append([]string(nil), n.ProofOfDelivery...)
	}
	if n.SignedBy != "" {
		t.SignedBy = n.SignedBy
	}
}

// changeEvents returns the events of a change, each with a snapshot of the
// tracking as it is after the change.
func changeEvents(before, after Tracking, now time.Time) []Event {
	var events []Event
	for _, c := range Changes(before, after) {
		snapshot := after
		events = append(events, Event{
			OrgID: after.OrgID, Type: c.Type, TrackingID: after.ID, Tag: after.Tag, FirstTag: c.IsFirstTag,
			Tracking: &snapshot, CreatedAt: now,
		})
	}
	return events
}
