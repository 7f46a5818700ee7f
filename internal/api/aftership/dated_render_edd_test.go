package aftership_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
)

// TestRenderTrackingDatedCarrierEstimate: the carrier's window becomes
// courier_estimated_delivery_date with its bounds and a "range"
// latest_estimated_delivery; the first estimate is kept; proof of delivery
// and the carrier's dates are rendered.
func TestRenderTrackingDatedCarrierEstimate(t *testing.T) {
	t.Parallel()
	got := renderDated(t, waybill.Tracking{
		ID: "x3", CreatedAt: time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC), Slug: "ups", TrackingNumber: "1Z",
		Tag: waybill.TagDelivered, Subtag: "Delivered_001",
		ExpectedDelivery: "2026-07-06", ExpectedDeliveryMin: "2026-07-04", ExpectedDeliveryMax: "2026-07-06",
		FirstExpectedDelivery: "2026-07-03", ShipmentPickupDate: "2026-07-01T17:00:00-04:00",
		ShipmentDeliveryDate: "2026-07-05T10:12:00-04:00", SignedBy: "FRONT DESK",
		ProofOfDelivery: []string{"https://carrier.example/pod/sig.png"},
	})
	checkModel(t, "tracking", got, trackingModel)
	for field, want := range map[string]any{
		"courier_estimated_delivery_date": map[string]any{"estimated_delivery_date": "2026-07-06",
			"estimated_delivery_date_min": "2026-07-04", "estimated_delivery_date_max": "2026-07-06"},
		"latest_estimated_delivery": map[string]any{"type": "range", "source": "Carrier EDD", "datetime": "2026-07-06",
			"datetime_min": "2026-07-04", "datetime_max": "2026-07-06", "revise_reason": nil},
		"first_estimated_delivery": map[string]any{"type": "specific", "source": "Carrier EDD", "datetime": "2026-07-03",
			"datetime_min": nil, "datetime_max": nil, "revise_reason": nil},
		"proof_of_delivery":      []any{map[string]any{"url": "https://carrier.example/pod/sig.png"}},
		"shipment_pickup_date":   "2026-07-01T17:00:00-04:00",
		"shipment_delivery_date": "2026-07-05T10:12:00-04:00",
		"signed_by":              "FRONT DESK",
	} {
		if diff := cmp.Diff(want, got[field]); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", field, diff)
		}
	}
	if none := renderDated(t, waybill.Tracking{ID: "x4", Tag: waybill.TagPending}); none["proof_of_delivery"] != nil ||
		none["first_estimated_delivery"] != nil || none["courier_estimated_delivery_date"] != nil {
		t.Errorf("no estimate: %v / %v / %v", none["proof_of_delivery"], none["first_estimated_delivery"], none["courier_estimated_delivery_date"])
	}
}
