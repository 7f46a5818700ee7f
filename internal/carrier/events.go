package carrier

import "github.com/waybillhq/waybill"

// Change is something about a tracking that subscribers hear about.
type Change struct {
	Type       string // waybill.EventTrackingUpdate or waybill.EventEDDRevise
	IsFirstTag bool   // the tracking left Pending for the first time
}

// Changes compares a tracking before and after an update: a tag change is a
// tracking_update, a changed expected delivery an edd_revise.
func Changes(before, after waybill.Tracking) []Change {
	var out []Change
	if before.Tag != after.Tag {
		out = append(out, Change{Type: waybill.EventTrackingUpdate,
			IsFirstTag: before.Tag == waybill.TagPending && len(before.Checkpoints) == 0})
	}
	if before.ExpectedDelivery != after.ExpectedDelivery && after.ExpectedDelivery != "" {
		out = append(out, Change{Type: waybill.EventEDDRevise})
	}
	return out
}
