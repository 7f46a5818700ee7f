package aftership_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/tracking"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestDatedTrackingGolden pins one full 2026-07 tracking object, with
// checkpoints, as GET /trackings/{id} returns it. The random id and the
// times of the run are normalized first. Refresh with -update.
func TestDatedTrackingGolden(t *testing.T) {
	h := newHarness(t, "sqlite")
	ctx := context.Background()
	created := h.createDated(t, map[string]any{
		"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "Blue shoes", "order_id": "ORD-1",
		"order_id_path": "https://shop.example/orders/1", "order_number": "#1001", "order_date": "2026-07-01T09:30:00+02:00",
		"language": "en", "note": "leave at the door", "origin_country_region": "US", "destination_country_region": "GB",
		"destination_state": "England", "destination_city": "London", "destination_postal_code": "SW1A 1AA",
		"destination_raw_location": "10 Downing St, London", "tracking_ship_date": "2026-07-01",
		"tracking_account_number": "ACC-9", "tracking_key": "K-1", "shipment_type": "Express", "shipment_tags": []string{"vip", "gift"},
		"custom_fields": map[string]any{"size": "42"}, "shipment_direction": "forward", "delivery_type": "door_to_door",
		"pickup_location": "Locker 12", "pickup_note": "code 1234",
		"order_promised_delivery_date": map[string]any{"promised_delivery_date": "2026-07-09"},
		"customers":                    []map[string]any{{"name": "Ann", "email": "ann@example.com", "phone_number": "+447700900123"}, {"email": "bob@example.com"}},
	})
	id := created["id"].(string)

	org, err := h.Tenants.Authenticate(ctx, h.Key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Core.PushCheckpoints(ctx, org.ID, tracking.PushInput{Slug: "ups", TrackingNumber: "1Z999AA10123456784", Checkpoints: []waybill.Checkpoint{
		{CheckpointTime: "2026-07-02T08:00:00-05:00", Message: "Shipper created a label", Tag: waybill.TagInfoReceived, Subtag: "InfoReceived_001"},
		{CheckpointTime: "2026-07-03T14:20:00-05:00", Message: "Departed from facility", City: "Louisville", State: "KY", Zip: "40209",
			CountryISO3: "USA", Location: "Louisville, KY, US", Coordinates: []float64{38.17, -85.73}, RawTag: "DP", Tag: waybill.TagInTransit, Subtag: "InTransit_007"},
		{CheckpointTime: "2026-07-06T10:00:00+01:00", Message: "Delivery attempted: no one home", City: "London", CountryISO3: "GBR",
			Tag: waybill.TagAttemptFail, Subtag: "AttemptFail_001"},
		{CheckpointTime: "2026-07-07T12:15:00+01:00", Message: "Delivered, signed by A. SMITH", City: "London", CountryISO3: "GBR",
			Zip: "SW1A 1AA", Tag: waybill.TagDelivered, Subtag: "Delivered_003"},
	}}); err != nil {
		t.Fatal(err)
	}

	res := h.dated("GET", "/trackings/"+id, nil).expectDated(t, 200, 200)
	checkModel(t, "golden tracking", res.Data, trackingModel)
	for i, c := range res.Data["checkpoints"].([]any) {
		checkModel(t, "checkpoint "+strconv.Itoa(i), c.(map[string]any), checkpointModel)
	}
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.Raw, &envelope); err != nil {
		t.Fatal(err)
	}
	got := normalizeTracking(t, envelope.Data, id)
	path := filepath.Join("testdata", "dated", "tracking.golden.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("tracking mismatch (-want +got); run with -update if the change is intended:\n%s", diff)
	}
}

// timestamps matches the times Waybill stamps on a tracking and its
// checkpoints (not the carrier's checkpoint_time).
var timestamps = regexp.MustCompile(`"(created_at|updated_at)":"[^"]+"`)

// normalizeTracking replaces what differs between runs (the random id and
// the times Waybill stamps) with placeholders, keeping the field order of
// the wire, and indents the result.
func normalizeTracking(t *testing.T, raw []byte, id string) []byte {
	t.Helper()
	raw = bytes.ReplaceAll(raw, []byte(id), []byte("<id>"))
	raw = timestamps.ReplaceAll(raw, []byte(`"$1":"<time>"`))
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(raw), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
