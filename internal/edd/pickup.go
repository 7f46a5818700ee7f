package edd

import (
	"time"
)

// EstimatedPickup is AfterShip's estimated_pickup: when the merchant hands
// the parcel to the carrier, computed from the order.
type EstimatedPickup struct {
	// OrderTime is the order's local time at the origin (no zone: a wall
	// clock reading, kept in time.UTC).
	OrderTime time.Time
	// Cutoff is the time of day after which an order waits for the next
	// day, as an offset from midnight; DefaultCutoff when negative.
	Cutoff time.Duration
	// BusinessDays are the weekdays the merchant ships on; Monday to
	// Friday when empty.
	BusinessDays []time.Weekday
	// ProcessingDays are the business days between the order's day and
	// the pickup.
	ProcessingDays int
}

// DefaultCutoff is AfterShip's default order cut-off time, 18:00:00.
const DefaultCutoff = 18 * time.Hour

// DefaultBusinessDays are Monday to Friday.
var DefaultBusinessDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// PickupTime applies the custom-EDD pickup rule: an order after the
// cut-off counts from the next day; that day moves on to a business day;
// each processing day moves on to the next business day. The pickup is at
// the cut-off time of that day.
func (p EstimatedPickup) PickupTime() time.Time {
	cutoff := p.Cutoff
	if cutoff < 0 {
		cutoff = DefaultCutoff
	}
	days := p.BusinessDays
	if len(days) == 0 {
		days = DefaultBusinessDays
	}
	order := p.OrderTime
	day := time.Date(order.Year(), order.Month(), order.Day(), 0, 0, 0, 0, time.UTC)
	if order.Sub(day) > cutoff {
		day = day.AddDate(0, 0, 1)
	}
	day = nextBusinessDay(day, days, false)
	for range p.ProcessingDays {
		day = nextBusinessDay(day, days, true)
	}
	return day.Add(cutoff)
}

// nextBusinessDay returns day itself when it is a business day and strict
// is false, else the first business day after it.
func nextBusinessDay(day time.Time, business []time.Weekday, strict bool) time.Time {
	if strict {
		day = day.AddDate(0, 0, 1)
	}
	for range 7 {
		for _, b := range business {
			if day.Weekday() == b {
				return day
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return day // unreachable with at least one valid weekday
}

// addBusinessDays returns the date n business days after day.
func addBusinessDays(day time.Time, n int, business []time.Weekday) time.Time {
	for range n {
		day = nextBusinessDay(day, business, true)
	}
	return day
}
