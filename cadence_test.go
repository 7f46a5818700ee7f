package waybill

import (
	"testing"
	"time"
)

func TestNextPoll(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	const h, day = time.Hour, 24 * time.Hour
	for _, tt := range []struct {
		tag         Tag
		active      bool
		age, quiet  time.Duration // since creation, since the last change
		want        time.Duration
		wantPolling bool
	}{
		{TagDelivered, true, day, h, 0, false},
		{TagExpired, true, 40 * day, 30 * day, 0, false},
		{TagInTransit, false, day, h, 0, false},
		{TagPending, true, 0, 0, 15 * time.Minute, true},
		{TagPending, true, 59 * time.Minute, 59 * time.Minute, 15 * time.Minute, true},
		{TagPending, true, 2 * h, 2 * h, 30 * time.Minute, true},
		{TagInfoReceived, true, 12 * h, 12 * h, h, true},
		{TagPending, true, 2 * day, 2 * day, 3 * h, true},
		{TagInTransit, true, 2 * day, h, 3 * h, true},
		{TagException, true, 2 * day, h, 2 * h, true},
		{TagOutForDelivery, true, 2 * day, h, 30 * time.Minute, true},
		{TagAvailableForPickup, true, 2 * day, 2 * day, 30 * time.Minute, true},
		{TagAttemptFail, true, 2 * day, h, 30 * time.Minute, true},
		{TagOutForDelivery, true, 5 * day, 3 * day, 12 * h, true},
		{TagInTransit, true, 10 * day, 4 * day, 12 * h, true},
		{TagInTransit, true, 20 * day, 7 * day, 24 * h, true},
		{TagPending, true, 20 * day, 20 * day, 24 * h, true},
	} {
		tr := Tracking{Tag: tt.tag, Active: tt.active, CreatedAt: now.Add(-tt.age)}
		at, ok := NextPoll(tr, now.Add(-tt.quiet), now)
		if ok != tt.wantPolling || (ok && at.Sub(now) != tt.want) {
			t.Errorf("NextPoll(%s, active %v, age %s, quiet %s) = +%s, %v; want +%s, %v",
				tt.tag, tt.active, tt.age, tt.quiet, at.Sub(now), ok, tt.want, tt.wantPolling)
		}
	}
	// A zero last change counts from creation.
	tr := Tracking{Tag: TagInTransit, Active: true, CreatedAt: now.Add(-8 * day)}
	if at, _ := NextPoll(tr, time.Time{}, now); at.Sub(now) != 24*h {
		t.Errorf("NextPoll with no last change = +%s, want +24h", at.Sub(now))
	}
}
