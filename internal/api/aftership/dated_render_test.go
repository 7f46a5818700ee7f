package aftership_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/aftership"
)

func renderDated(t *testing.T, tr waybill.Tracking) map[string]any {
	t.Helper()
	raw, err := aftership.RenderTrackingDatedJSON(tr)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRenderTrackingDatedEmpty: a tracking without data still has every
// field of the model, each of its type.
func TestRenderTrackingDatedEmpty(t *testing.T) {
	t.Parallel()
	got := renderDated(t, waybill.Tracking{ID: "x1", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0), Tag: waybill.TagPending, Subtag: "Pending_001"})
	checkModel(t, "empty tracking", got, trackingModel)
	for _, field := range []string{"checkpoints", "customers", "shipment_tags", "order_tags", "subscribed_emails"} {
		if v, ok := got[field].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want []", field, got[field])
		}
	}
	if got["failed_delivery_attempts"] != float64(0) || got["shipment_weight"] != nil || got["aftership_tracking_url"] != nil {
		t.Errorf("failed_delivery_attempts %v, shipment_weight %v, aftership_tracking_url %v", got["failed_delivery_attempts"], got["shipment_weight"], got["aftership_tracking_url"])
	}
}

// TestRenderTrackingDatedCoreFields covers the core fields no dated request
// sets (the carrier derives them), and the mapping of each.
func TestRenderTrackingDatedCoreFields(t *testing.T) {
	t.Parallel()
	weight, days := 1.25, 4
	got := renderDated(t, waybill.Tracking{
		ID: "x2", CreatedAt: time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("CEST", 2*3600)), Slug: "dhl", TrackingNumber: "1234567890",
		Tag: waybill.TagInTransit, Subtag: "InTransit_002", ShipmentWeight: &weight, ShipmentWeightUnit: "kg", ShipmentPackageCount: 2,
		ExpectedDelivery: "2026-07-05", DeliveryTime: &days, ShipmentDirection: "return", OriginCountryISO3: "XYZ",
		CourierFields: waybill.CourierFields{PostalCode: "10115", State: "BE", DestinationCountry: "DEU", AccountNumber: "A1"},
		Emails:        []string{"a@example.com"}, Smses: []string{"+4915112345678", "+4915112345679"}, CustomerName: "Ann",
		SubscribedEmails: []string{"s@example.com"},
		Checkpoints: []waybill.Checkpoint{
			{Slug: "dhl", CheckpointTime: "2026-07-02T10:00:00+02:00", Message: "m", Tag: waybill.TagAttemptFail, Subtag: "AttemptFail_002", Coordinates: []float64{1}},
			{Slug: "dhl", CheckpointTime: "2026-07-03T10:00:00+02:00", Message: "m", Tag: waybill.TagAttemptFail, Subtag: "AttemptFail_003", CountryISO3: "DEU"},
		},
	})
	checkModel(t, "tracking", got, trackingModel)
	for field, want := range map[string]any{
		"created_at": "2026-07-01T06:00:00+00:00", "shipment_package_count": float64(2), "transit_time": float64(4),
		"shipment_direction": "return", "origin_country_region": nil, "destination_country_region": "DE",
		"destination_postal_code": "10115", "destination_state": "BE", "tracking_account_number": "A1",
		"failed_delivery_attempts": float64(2), "tracking_key": nil, "updated_at": "",
	} {
		if diff := cmp.Diff(want, got[field]); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", field, diff)
		}
	}
	for field, want := range map[string]any{
		"shipment_weight":                 map[string]any{"unit": "kg", "value": 1.25},
		"courier_estimated_delivery_date": map[string]any{"estimated_delivery_date": "2026-07-05", "estimated_delivery_date_min": nil, "estimated_delivery_date_max": nil},
		"latest_estimated_delivery":       map[string]any{"type": "specific", "source": "Carrier EDD", "datetime": "2026-07-05", "datetime_min": nil, "datetime_max": nil, "revise_reason": nil},
		"subscribed_emails":               []any{"s@example.com"},
		"customers": []any{
			map[string]any{"role": nil, "name": "Ann", "email": "a@example.com", "phone_number": "+4915112345678", "language": nil, "id": nil},
			map[string]any{"role": nil, "name": nil, "email": nil, "phone_number": "+4915112345679", "language": nil, "id": nil},
		},
	} {
		if diff := cmp.Diff(want, got[field]); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", field, diff)
		}
	}
	cps := got["checkpoints"].([]any)
	for i, c := range cps {
		checkModel(t, "checkpoint", c.(map[string]any), checkpointModel)
		if h, _ := c.(map[string]any)["hash"].(string); len(h) != 32 {
			t.Errorf("checkpoint %d hash %q", i, h)
		}
	}
	first, second := cps[0].(map[string]any), cps[1].(map[string]any)
	if first["coordinate"] != nil || first["country_region"] != nil || second["country_region"] != "DE" || second["country_region_name"] != "Germany" {
		t.Errorf("checkpoints: %v / %v", first, second)
	}
	if first["hash"] == second["hash"] {
		t.Error("two different checkpoints have the same hash")
	}
}

func TestCursor(t *testing.T) {
	t.Parallel()
	for _, seq := range []int64{1, 42, 1 << 40} {
		c := aftership.EncodeCursor(seq)
		got, err := aftership.DecodeCursor(c)
		if err != nil || got != seq {
			t.Errorf("DecodeCursor(EncodeCursor(%d)) = %d, %v", seq, got, err)
		}
	}
	if c := aftership.EncodeCursor(0); c != "" {
		t.Errorf("EncodeCursor(0) = %q, want \"\"", c)
	}
	if got, err := aftership.DecodeCursor(""); got != 0 || err != nil {
		t.Errorf("DecodeCursor(\"\") = %d, %v", got, err)
	}
	for _, bad := range []string{"x", "d2IxLg", "d2IxLjAx", "d2IxLi0x", "====", "d2IxLjE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"} {
		if _, err := aftership.DecodeCursor(bad); waybill.ErrorCode(err) != waybill.EINVALID {
			t.Errorf("DecodeCursor(%q): err %v, want EINVALID", bad, err)
		}
	}
}
