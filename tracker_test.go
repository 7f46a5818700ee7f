package waybill_test

import (
	"testing"
	"time"

	"github.com/waybillhq/waybill"
)

// TestTrackerStatus is the status table of docs/TRACKERS.md.
func TestTrackerStatus(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) *int64 { v := now.Add(d).UnixMilli(); return &v }
	future := &waybill.TimeWindow{StartsAt: ms(time.Hour)}
	past := &waybill.TimeWindow{StartsAt: ms(-time.Hour)}
	late := &waybill.TimeWindow{EndsAt: ms(-time.Hour)}
	for _, c := range []struct {
		name    string
		tr      waybill.Tracker
		t       waybill.Tracking
		want    string
		because string
	}{
		{"pending, pickup ahead", waybill.Tracker{PickupTime: future}, waybill.Tracking{Tag: waybill.TagPending}, "REQUEST_RECEIVED", "before the first scan, while the pickup window has not opened"},
		{"pending, pickup passed", waybill.Tracker{PickupTime: past}, waybill.Tracking{Tag: waybill.TagPending}, "ORDER_DISPATCHED", "before the first scan, after"},
		{"info received", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagInfoReceived}, "ORDER_DISPATCHED", "a label is no scan"},
		{"pending, window long past", waybill.Tracker{DeliveryTime: late}, waybill.Tracking{Tag: waybill.TagPending}, "ORDER_DISPATCHED", "delay needs a scan"},
		{"in transit", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagInTransit}, "IN_TRANSIT", ""},
		{"in transit past the window", waybill.Tracker{DeliveryTime: late}, waybill.Tracking{Tag: waybill.TagInTransit}, "ORDER_DELAYED", "expected delivery passed"},
		{"in transit past the carrier's date", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagInTransit, ExpectedDelivery: "2026-12-01"}, "ORDER_DELAYED", ""},
		{"in transit, carrier's date today", waybill.Tracker{DeliveryTime: late}, waybill.Tracking{Tag: waybill.TagInTransit, ExpectedDelivery: "2026-12-03"}, "IN_TRANSIT", "the carrier's estimate wins over the window"},
		{"out for delivery", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagOutForDelivery}, "OUT_FOR_DELIVERY", ""},
		{"available for pickup", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagAvailableForPickup}, "ORDER_AT_LOCATION", ""},
		{"attempt failed", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagAttemptFail}, "ORDER_REDELIVERY", ""},
		{"delivered", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagDelivered}, "ORDER_DELIVERED", ""},
		{"customs delay", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagException, Subtag: "Exception_004"}, "ORDER_DELAYED", ""},
		{"refused", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagException, Subtag: "Exception_003"}, "ORDER_UNDELIVERABLE", ""},
		{"lost", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagException, Subtag: "Exception_013"}, "ORDER_UNDELIVERABLE", ""},
		{"other exception", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagException, Subtag: "Exception_001"}, "ERROR_EXCEPTION", ""},
		{"expired", waybill.Tracker{}, waybill.Tracking{Tag: waybill.TagExpired}, "ERROR_EXCEPTION", ""},
		{"cancelled", waybill.Tracker{CancelledAt: now}, waybill.Tracking{Tag: waybill.TagDelivered}, "ORDER_CANCELLED", "cancel wins over everything"},
	} {
		if got := waybill.TrackerStatus(c.tr, c.t, now); got != c.want {
			t.Errorf("%s: %s, want %s (%s)", c.name, got, c.want, c.because)
		}
	}
}

// TestTrackerInputProblems: every missing field is its own problem, and
// invalid ones are reported only when nothing is missing.
func TestTrackerInputProblems(t *testing.T) {
	str := func(s string) *string { return &s }
	in := waybill.TrackerInput{Type: str("delivery"), OrderValue: new(float64)}
	_, err := in.ValidateCreate(time.Now())
	if waybill.ErrorCode(err) != waybill.EINVALID || waybill.ErrorReason(err) != waybill.ReasonFieldRequired {
		t.Fatalf("err = %v, want EINVALID field_required", err)
	}
	var fields []string
	for _, p := range waybill.FieldProblemsOf(err) {
		fields = append(fields, p.Field)
	}
	if len(fields) != 5 {
		t.Errorf("missing fields %v, want provider, trackingId, trackerExternalId, locationExternalId, deliveryAddress", fields)
	}
	in = waybill.TrackerInput{Provider: str("p"), TrackingID: str("1"), ExternalID: str("e\x00"), LocationExternalID: str("l"),
		Type: str("pickup"), Locale: str("de-DE"), Barcodes: &[]string{"a", "a"}}
	_, err = in.ValidateCreate(time.Now())
	if waybill.ErrorCode(err) != waybill.EUNPROCESSABLE || len(waybill.FieldProblemsOf(err)) != 1 || waybill.FieldProblemsOf(err)[0].Field != "trackerExternalId" {
		t.Errorf("err = %v %v, want one invalid trackerExternalId", err, waybill.FieldProblemsOf(err))
	}
}
