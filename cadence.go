package waybill

import "time"

// NextPoll returns when to poll a tracking's carrier next, given when its
// status last changed (zero: use t.CreatedAt). ok is false for a tracking
// that is not polled: inactive, Delivered or Expired. Otherwise at is
// after now, and NextPoll is deterministic. The cadence, first matching
// row wins:
//
//	no change for 7 days or more                             every 24 h
//	no change for 3 days or more                             every 12 h
//	OutForDelivery, AvailableForPickup, AttemptFail          every 30 min
//	Pending or InfoReceived, created less than 1 h ago        every 15 min
//	Pending or InfoReceived, created less than 6 h ago        every 30 min
//	Pending or InfoReceived, created less than 24 h ago       every 1 h
//	Exception                                                every 2 h
//	anything else (InTransit, older Pending, InfoReceived)    every 3 h
//
// The sandbox courier plays out in accelerated time; the tracking service
// follows its own clock instead (internal/carrier's SandboxNextScan).
func NextPoll(t Tracking, lastChange, now time.Time) (at time.Time, ok bool) {
	if !t.Active || t.Tag == TagDelivered || t.Tag == TagExpired {
		return time.Time{}, false
	}
	if lastChange.IsZero() {
		lastChange = t.CreatedAt
	}
	return now.Add(pollInterval(t.Tag, now.Sub(t.CreatedAt), now.Sub(lastChange))), true
}

// pollInterval is NextPoll's table, given the tracking's age and how long
// it has been quiet.
func pollInterval(tag Tag, age, quiet time.Duration) time.Duration {
	const day = 24 * time.Hour
	fresh := tag == TagPending || tag == TagInfoReceived || tag == ""
	switch {
	case quiet >= 7*day:
		return 24 * time.Hour
	case quiet >= 3*day:
		return 12 * time.Hour
	case tag == TagOutForDelivery || tag == TagAvailableForPickup || tag == TagAttemptFail:
		return 30 * time.Minute
	case fresh && age < time.Hour:
		return 15 * time.Minute
	case fresh && age < 6*time.Hour:
		return 30 * time.Minute
	case fresh && age < day:
		return time.Hour
	case tag == TagException:
		return 2 * time.Hour
	default:
		return 3 * time.Hour
	}
}
