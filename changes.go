package waybill

// Change is something about a tracking that webhook subscribers hear about.
type Change struct {
	// Type is EventTrackingUpdate or EventEDDRevise.
	Type string
	// IsFirstTag is set on a tracking_update when the tracking leaves its
	// first status: before, it was Pending (or had no tag) and none of its
	// checkpoints had another tag. It is AfterShip's is_tracking_first_tag.
	IsFirstTag bool
	// From and To are the tags before and after a tracking_update; both
	// are the tracking's tag for an edd_revise.
	From, To Tag
}

// Changes compares a tracking before and after an update and returns what
// subscribers hear about, tracking_update first:
//   - a tag change is a tracking_update (a subtag change alone is not,
//     as on AfterShip, whose webhooks are per tag);
//   - a new, non-empty expected delivery (its date or its window) is an
//     edd_revise, including the first estimate; an estimate that
//     disappears is not announced.
//
// Changes is pure and returns nil when nothing changed.
func Changes(before, after Tracking) []Change {
	var out []Change
	if before.Tag != after.Tag {
		out = append(out, Change{Type: EventTrackingUpdate, IsFirstTag: neverTagged(before),
			From: before.Tag, To: after.Tag})
	}
	if after.ExpectedDelivery != "" && (before.ExpectedDelivery != after.ExpectedDelivery ||
		before.ExpectedDeliveryMin != after.ExpectedDeliveryMin || before.ExpectedDeliveryMax != after.ExpectedDeliveryMax) {
		out = append(out, Change{Type: EventEDDRevise, From: after.Tag, To: after.Tag})
	}
	return out
}

// neverTagged reports whether t has not yet had a status other than
// Pending.
func neverTagged(t Tracking) bool {
	if t.Tag != "" && t.Tag != TagPending {
		return false
	}
	for _, c := range t.Checkpoints {
		if c.Tag != "" && c.Tag != TagPending {
			return false
		}
	}
	return true
}
