package waybill

import (
	"slices"
	"strings"
	"time"
)

// Tracker statuses, in the Tracker API's (Delivery Solutions') vocabulary.
const (
	TrackerRequestReceived = "REQUEST_RECEIVED"
	TrackerDispatched      = "ORDER_DISPATCHED"
	TrackerInTransit       = "IN_TRANSIT"
	TrackerOutForDelivery  = "OUT_FOR_DELIVERY"
	TrackerAtLocation      = "ORDER_AT_LOCATION"
	TrackerRedelivery      = "ORDER_REDELIVERY"
	TrackerDelayed         = "ORDER_DELAYED"
	TrackerDelivered       = "ORDER_DELIVERED"
	TrackerUndeliverable   = "ORDER_UNDELIVERABLE"
	TrackerErrorException  = "ERROR_EXCEPTION"
	TrackerCancelled       = "ORDER_CANCELLED"
)

// TrackerStatuses are the statuses TrackerStatus gives.
var TrackerStatuses = []string{TrackerRequestReceived, TrackerDispatched, TrackerInTransit, TrackerOutForDelivery,
	TrackerAtLocation, TrackerRedelivery, TrackerDelayed, TrackerDelivered, TrackerUndeliverable,
	TrackerErrorException, TrackerCancelled}

func validTrackerStatus(s string) bool { return slices.Contains(TrackerStatuses, s) }

// undeliverable are the exception subtags after which the parcel will not
// reach its recipient: moved, refused, wrong address, rejected, returning
// or returned, damaged, lost.
var undeliverable = []string{"Exception_002", "Exception_003", "Exception_007", "Exception_009",
	"Exception_010", "Exception_011", "Exception_012", "Exception_013"}

// TrackerStatus derives a tracker's status from its tracking at now; the
// table is in docs/TRACKERS.md. A cancelled tracker is ORDER_CANCELLED.
// Before the first scan it is REQUEST_RECEIVED while its pickup window has
// not opened, ORDER_DISPATCHED after. In transit past its expected delivery
// (the carrier's estimate, else the end of the tracker's delivery window)
// it is ORDER_DELAYED. TrackerStatus is pure.
func TrackerStatus(tr Tracker, t Tracking, now time.Time) string {
	if tr.Cancelled() {
		return TrackerCancelled
	}
	switch t.Tag {
	case TagPending, TagInfoReceived, "":
		if tr.PickupTime != nil && tr.PickupTime.StartsAt != nil && *tr.PickupTime.StartsAt > now.UnixMilli() {
			return TrackerRequestReceived
		}
		return TrackerDispatched
	case TagInTransit:
		if due, ok := expectedBy(tr, t); ok && now.After(due) {
			return TrackerDelayed
		}
		return TrackerInTransit
	case TagOutForDelivery:
		return TrackerOutForDelivery
	case TagAvailableForPickup:
		return TrackerAtLocation
	case TagAttemptFail:
		return TrackerRedelivery
	case TagDelivered:
		return TrackerDelivered
	case TagException:
		switch {
		case t.Subtag == "Exception_004" || t.Subtag == "Exception_005":
			return TrackerDelayed
		case slices.Contains(undeliverable, t.Subtag) || t.ReturnToSender:
			return TrackerUndeliverable
		}
		return TrackerErrorException
	case TagExpired:
		return TrackerErrorException
	}
	return TrackerErrorException
}

// expectedBy is when the parcel was expected at the latest: the end of the
// carrier's expected delivery day (or its time, when it has one), else the
// end of the tracker's delivery window.
func expectedBy(tr Tracker, t Tracking) (time.Time, bool) {
	if e := strings.TrimSpace(t.ExpectedDelivery); e != "" {
		if d, err := time.Parse("2006-01-02", e); err == nil {
			return d.Add(24 * time.Hour), true
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if d, err := time.Parse(layout, e); err == nil {
				return d, true
			}
		}
	}
	if tr.DeliveryTime != nil && tr.DeliveryTime.EndsAt != nil {
		return time.UnixMilli(*tr.DeliveryTime.EndsAt), true
	}
	return time.Time{}, false
}
