package carrier

import (
	"time"

	"github.com/waybillhq/waybill"
)

// NextPoll returns when to poll a tracking next, given when its status last
// changed: often near delivery, every few hours in transit, rarely when
// quiet. ok is false for trackings that are not polled: inactive, Delivered
// or Expired ones.
//
//	OutForDelivery, AvailableForPickup, AttemptFail      30 min
//	Pending or InfoReceived, for its first day             1 h
//	InTransit, Exception                                   3 h
//	any tag, no change for 3 days                          12 h
//	any tag, no change for 7 days                          24 h
func NextPoll(t waybill.Tracking, lastChange, now time.Time) (time.Time, bool) {
	if !t.Active || t.Tag == waybill.TagDelivered || t.Tag == waybill.TagExpired {
		return time.Time{}, false
	}
	quiet := now.Sub(lastChange)
	var every time.Duration
	switch {
	case quiet >= 7*24*time.Hour:
		every = 24 * time.Hour
	case quiet >= 3*24*time.Hour:
		every = 12 * time.Hour
	case t.Tag == waybill.TagOutForDelivery || t.Tag == waybill.TagAvailableForPickup || t.Tag == waybill.TagAttemptFail:
		every = 30 * time.Minute
	case (t.Tag == waybill.TagPending || t.Tag == waybill.TagInfoReceived) && now.Sub(t.CreatedAt) < 24*time.Hour:
		every = time.Hour
	default:
		every = 3 * time.Hour
	}
	return now.Add(every), true
}
