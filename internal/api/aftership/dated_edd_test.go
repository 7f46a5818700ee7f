package aftership_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

const (
	predictPath = "/estimated-delivery-date/predict"
	batchPath   = "/estimated-delivery-date/predict-batch"
)

// seedDelivered pushes n delivered parcels of a courier through the core:
// picked up on 2026-06-01 and delivered days(i) later, on a lane and
// service, and returns nothing but fails the test on error.
func seedDelivered(t *testing.T, h *harness, orgID int64, slug, service, origin, dest string, n int, days func(i int) int) {
	t.Helper()
	ctx := context.Background()
	pickup := time.Date(2026, 6, 1, 17, 0, 0, 0, time.FixedZone("EDT", -4*3600))
	for i := range n {
		number := fmt.Sprintf("EDD%s%s%04d", strings.ToUpper(slug[:2]), origin+dest, i)
		res, err := h.Core.PushCheckpoints(ctx, orgID, tracking.PushInput{Slug: slug, TrackingNumber: number, Checkpoints: []waybill.Checkpoint{
			{CheckpointTime: pickup.Format(time.RFC3339), Message: "Picked up", Tag: waybill.TagInTransit, Subtag: "InTransit_002"},
			{CheckpointTime: pickup.AddDate(0, 0, days(i)).Add(-6 * time.Hour).Format(time.RFC3339), Message: "Delivered", Tag: waybill.TagDelivered, Subtag: "Delivered_001"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		fields := waybill.TrackingFields{OriginCountryISO3: &origin, DestinationCountryISO3: &dest, ShipmentType: &service}
		if _, err := h.Core.Update(ctx, orgID, res.Tracking.ID, waybill.UpdateTrackingInput{Fields: fields}); err != nil {
			t.Fatal(err)
		}
	}
}

func eddItem(slug, service, origin, dest string) map[string]any {
	return map[string]any{"slug": slug, "service_type_name": service,
		"origin_address":      map[string]any{"country_region": origin, "state": "WA", "postal_code": "98108"},
		"destination_address": map[string]any{"country_region": dest, "state": "CA", "postal_code": "92019"},
		"weight":              map[string]any{"unit": "kg", "value": 2.5}, "package_count": 1,
		"pickup_time": "2026-07-01 10:00:00"}
}

func TestPredictFromHistoryAndRule(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, engine)
			org, err := h.Tenants.Authenticate(context.Background(), h.Key)
			if err != nil {
				t.Fatal(err)
			}
			// 25 UPS Ground parcels USA→USA: 2, 3, 3, 3, 4 days, five times.
			seedDelivered(t, h, org.ID, "ups", "UPS Ground", "USA", "USA", 25, func(i int) int { return []int{2, 3, 3, 3, 4}[i%5] })

			// The same service and lane: the finest group.
			r := h.dated("POST", predictPath, eddItem("ups", "UPS Ground", "USA", "USA")).expect(t, 200, 200)
			d := r.Data
			pred := d["prediction"].(map[string]any)
			if pred["source"] != "history" || pred["basis"] != "courier_service_lane" || pred["sample_size"] != float64(25) {
				t.Fatalf("prediction %v", pred)
			}
			if d["estimated_delivery_date"] != "2026-07-04" || d["estimated_delivery_date_min"] != "2026-07-03" || d["estimated_delivery_date_max"] != "2026-07-05" {
				t.Errorf("dates %v / %v / %v, want 2026-07-04 in [07-03, 07-05]", d["estimated_delivery_date"], d["estimated_delivery_date_min"], d["estimated_delivery_date_max"])
			}
			if pred["window_coverage"] != float64(1) {
				t.Errorf("window coverage %v, want 1 (every sample in [2, 4])", pred["window_coverage"])
			}
			if id, _ := d["id"].(string); len(id) != 32 || d["slug"] != "ups" || d["package_count"] != float64(1) ||
				d["origin_address"].(map[string]any)["postal_code"] != "98108" {
				t.Errorf("answer does not echo the request: %s", r.Raw)
			}

			// Another service on the same lane falls back to the lane.
			pred = h.dated("POST", predictPath, eddItem("ups", "UPS Next Day Air", "USA", "USA")).expect(t, 200, 200).Data["prediction"].(map[string]any)
			if pred["source"] != "history" || pred["basis"] != "courier_lane" {
				t.Errorf("other service: %v", pred)
			}
			// No history for the lane: the custom-EDD rule, from a Wednesday
			// pickup, 5 to 12 business days abroad.
			r = h.dated("POST", predictPath, eddItem("ups", "UPS Ground", "USA", "CAN")).expect(t, 200, 200)
			d = r.Data
			pred = d["prediction"].(map[string]any)
			if pred["source"] != "custom_edd" || pred["basis"] != nil || pred["window_coverage"] != nil || pred["sample_size"] != float64(0) {
				t.Errorf("rule: %v", pred)
			}
			if d["estimated_delivery_date_min"] != "2026-07-08" || d["estimated_delivery_date_max"] != "2026-07-17" || d["estimated_delivery_date"] != "2026-07-17" {
				t.Errorf("rule dates: %s", r.Raw)
			}
			// Another organization does not see this one's history.
			other := h.do("POST", "/tracking/2026-07"+predictPath, "as-api-key", h.otherKey(), eddItem("ups", "UPS Ground", "USA", "USA")).expect(t, 200, 200)
			if src := other.Data["prediction"].(map[string]any)["source"]; src != "custom_edd" {
				t.Errorf("other organization predicted from %v", src)
			}
		})
	}
}

func TestPredictEstimatedPickup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.Engines()[0])
	item := eddItem("fedex", "", "USA", "USA")
	delete(item, "pickup_time")
	// Friday after the cut-off, one processing day: Monday's turn is the
	// order's day, Tuesday the pickup.
	item["estimated_pickup"] = map[string]any{"order_time": "2026-07-03 19:30:00",
		"order_processing_time": map[string]any{"unit": "day", "value": 1}}
	r := h.dated("POST", predictPath, item).expect(t, 200, 200)
	ep := r.Data["estimated_pickup"].(map[string]any)
	if ep["pickup_time"] != "2026-07-07 18:00:00" || ep["order_cutoff_time"] != "18:00:00" || len(ep["business_days"].([]any)) != 5 {
		t.Errorf("estimated pickup %v", ep)
	}
	// Domestic rule: 2 to 5 business days from Tuesday.
	if r.Data["estimated_delivery_date_min"] != "2026-07-09" || r.Data["estimated_delivery_date_max"] != "2026-07-14" {
		t.Errorf("dates: %s", r.Raw)
	}
	// Saturday shipping counts Saturday.
	item["estimated_pickup"] = map[string]any{"order_time": "2026-07-04 09:00:00", "order_cutoff_time": "12:00:00", "business_days": []int{1, 2, 3, 4, 5, 6}}
	ep = h.dated("POST", predictPath, item).expect(t, 200, 200).Data["estimated_pickup"].(map[string]any)
	if ep["pickup_time"] != "2026-07-04 12:00:00" {
		t.Errorf("saturday pickup %v", ep["pickup_time"])
	}
}

func TestPredictValidation(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, engine)
			valid := func() map[string]any { return eddItem("ups", "UPS Ground", "USA", "USA") }
			for _, tt := range []struct {
				name   string
				change func(m map[string]any)
				code   int
				inMsg  string
			}{
				{"no slug", func(m map[string]any) { delete(m, "slug") }, 4009, "slug is required"},
				{"unknown slug", func(m map[string]any) { m["slug"] = "teleport\x00" }, 4010, "slug"},
				{"no origin", func(m map[string]any) { delete(m, "origin_address") }, 4009, "origin_address.country_region"},
				{"bad destination", func(m map[string]any) { m["destination_address"] = map[string]any{"country_region": "ZZZ"} }, 4008, "destination_address.country_region"},
				{"bad pickup time", func(m map[string]any) { m["pickup_time"] = "2026-07-01T10:00:00Z" }, 4008, "pickup_time"},
				{"no pickup", func(m map[string]any) { delete(m, "pickup_time") }, 4009, "pickup_time or estimated_pickup"},
				{"no order time", func(m map[string]any) { delete(m, "pickup_time"); m["estimated_pickup"] = map[string]any{} }, 4009, "order_time"},
				{"bad cutoff", func(m map[string]any) {
					delete(m, "pickup_time")
					m["estimated_pickup"] = map[string]any{"order_time": "2026-07-01 10:00:00", "order_cutoff_time": "25:00"}
				}, 4008, "order_cutoff_time"},
				{"bad business day", func(m map[string]any) {
					delete(m, "pickup_time")
					m["estimated_pickup"] = map[string]any{"order_time": "2026-07-01 10:00:00", "business_days": []int{0}}
				}, 4008, "business_days"},
				{"processing in hours", func(m map[string]any) {
					delete(m, "pickup_time")
					m["estimated_pickup"] = map[string]any{"order_time": "2026-07-01 10:00:00", "order_processing_time": map[string]any{"unit": "hour", "value": 4}}
				}, 4008, "order_processing_time.unit"},
				{"too much processing", func(m map[string]any) {
					delete(m, "pickup_time")
					m["estimated_pickup"] = map[string]any{"order_time": "2026-07-01 10:00:00", "order_processing_time": map[string]any{"unit": "day", "value": 99}}
				}, 4008, "order_processing_time.value"},
				{"bad service", func(m map[string]any) { m["service_type_name"] = "a\x00b" }, 4008, "service_type_name"},
				{"wrong type", func(m map[string]any) { m["package_count"] = "one" }, 4001, ""},
			} {
				m := valid()
				tt.change(m)
				r := h.dated("POST", predictPath, m).expect(t, 400, tt.code)
				if !strings.Contains(r.Meta.Message, tt.inMsg) || r.Meta.Type != "BadRequest" {
					t.Errorf("%s: meta %+v", tt.name, r.Meta)
				}
				// The same item in a batch is refused with its position.
				r = h.dated("POST", batchPath, map[string]any{"estimated_delivery_dates": []any{valid(), m}}).expect(t, 400, tt.code)
				if tt.code != 4001 && !strings.Contains(r.Meta.Message, "estimated_delivery_dates[1].") {
					t.Errorf("%s in a batch: %q", tt.name, r.Meta.Message)
				}
			}
			h.dated("POST", predictPath, "{").expect(t, 400, 4001)
		})
	}
}

func TestPredictBatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.Engines()[0])
	items := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = eddItem("ups", "UPS Ground", "USA", []string{"USA", "CAN", "MEX", "DEU", "FRA", "GBR"}[i])
		}
		return out
	}
	r := h.dated("POST", batchPath, map[string]any{"estimated_delivery_dates": items(5)}).expect(t, 200, 200)
	answers := r.Data["estimated_delivery_dates"].([]any)
	if len(answers) != 5 {
		t.Fatalf("%d answers, want 5", len(answers))
	}
	for i, a := range answers {
		dest := a.(map[string]any)["destination_address"].(map[string]any)["country_region"]
		if want := items(5)[i].(map[string]any)["destination_address"].(map[string]any)["country_region"]; dest != want {
			t.Errorf("answer %d is for %v, want %v (order kept)", i, dest, want)
		}
	}
	for _, body := range []any{
		map[string]any{"estimated_delivery_dates": items(6)},
		map[string]any{"estimated_delivery_dates": []any{}},
	} {
		r := h.dated("POST", batchPath, body).expect(t, 400, 4008)
		if !strings.Contains(r.Meta.Message, "1 to 5") {
			t.Errorf("batch size message %q", r.Meta.Message)
		}
	}
	h.dated("POST", batchPath, map[string]any{}).expect(t, 400, 4009)
	// All or nothing: a bad fourth item refuses the three good ones.
	bad := items(4)
	bad[3].(map[string]any)["slug"] = ""
	r = h.dated("POST", batchPath, map[string]any{"estimated_delivery_dates": bad}).expect(t, 400, 4009)
	if !strings.Contains(r.Meta.Message, "estimated_delivery_dates[3].slug") || r.Data["estimated_delivery_dates"] != nil {
		t.Errorf("partial batch: %s", r.Raw)
	}
}
