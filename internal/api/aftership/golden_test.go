package aftership_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/testhelper"
	"github.com/waybillhq/waybill/internal/tracking"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The golden files pin the AfterShip wire products: a tracking as v4 and
// 2026-07 return it, and the webhook payload of each version. The random
// id and the times of the run are normalized first. Refresh with -update.

// goldenCheckpoints are the carrier's scans of the golden parcel.
var goldenCheckpoints = []waybill.Checkpoint{
	{CheckpointTime: "2026-07-02T08:00:00-05:00", Message: "Shipper created a label", Tag: waybill.TagInfoReceived, Subtag: "InfoReceived_001"},
	{CheckpointTime: "2026-07-03T14:20:00-05:00", Message: "Departed from facility", City: "Louisville", State: "KY", Zip: "40209",
		CountryISO3: "USA", Location: "Louisville, KY, US", Coordinates: []float64{38.17, -85.73}, RawTag: "DP", Tag: waybill.TagInTransit, Subtag: "InTransit_007"},
	{CheckpointTime: "2026-07-06T10:00:00+01:00", Message: "Delivery attempted: no one home", City: "London", CountryISO3: "GBR",
		Tag: waybill.TagAttemptFail, Subtag: "AttemptFail_001"},
	{CheckpointTime: "2026-07-07T12:15:00+01:00", Message: "Delivered, signed by A. SMITH", City: "London", CountryISO3: "GBR",
		Zip: "SW1A 1AA", Tag: waybill.TagDelivered, Subtag: "Delivered_003"},
}

// pushGoldenCheckpoints feeds the golden scans to the tracking of a ups
// parcel, as a carrier connector would.
func pushGoldenCheckpoints(t *testing.T, h *harness, number string) waybill.Organization {
	t.Helper()
	ctx := context.Background()
	org, err := h.Tenants.Authenticate(ctx, h.Key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Core.PushCheckpoints(ctx, org.ID, tracking.PushInput{Slug: "ups", TrackingNumber: number, Checkpoints: goldenCheckpoints}); err != nil {
		t.Fatal(err)
	}
	return org
}

// createDatedGolden creates the golden parcel through the 2026-07 API, with
// every field a client can send, and returns its id.
func createDatedGolden(t *testing.T, h *harness) string {
	t.Helper()
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
	pushGoldenCheckpoints(t, h, "1Z999AA10123456784")
	return created["id"].(string)
}

// TestDatedTrackingGolden pins one full 2026-07 tracking object, with
// checkpoints, as GET /trackings/{id} returns it.
func TestDatedTrackingGolden(t *testing.T) {
	h := newHarness(t, "sqlite")
	id := createDatedGolden(t, h)
	res := h.dated("GET", "/trackings/"+id, nil).expectDated(t, 200, 200)
	checkModel(t, "golden tracking", res.Data, trackingModel)
	for i, c := range res.Data["checkpoints"].([]any) {
		checkModel(t, "checkpoint "+strconv.Itoa(i), c.(map[string]any), checkpointModel)
	}
	testhelper.CompareWithGolden(t, normalizeWire(t, envelopeData(t, res.Raw), id), filepath.Join("testdata", "dated", "tracking.golden.json"), *update)
}

// TestV4TrackingGolden pins one full v4 tracking object, with checkpoints,
// as GET /v4/trackings/{id} returns it, after a create with every v4 field.
func TestV4TrackingGolden(t *testing.T) {
	h := newHarness(t, "sqlite")
	created := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{
		"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "Blue shoes", "order_id": "ORD-1",
		"order_id_path": "https://shop.example/orders/1", "order_number": "#1001", "order_date": "2026-07-01T09:30:00+02:00",
		"order_promised_delivery_date": "2026-07-09", "language": "en", "note": "leave at the door",
		"customer_name": "Ann", "emails": []string{"ann@example.com"}, "smses": []string{"+447700900123"},
		"custom_fields": map[string]string{"size": "42"}, "origin_country_iso3": "USA", "destination_country_iso3": "GBR",
		"destination_raw_location": "10 Downing St, London", "shipment_type": "Express", "delivery_type": "door_to_door",
		"pickup_location": "Locker 12", "pickup_note": "code 1234", "tracking_postal_code": "SW1A 1AA",
		"tracking_ship_date": "20260701", "tracking_account_number": "ACC-9", "tracking_key": "K-1",
		"tracking_origin_country": "USA", "tracking_destination_country": "GBR", "tracking_state": "England",
	}}).expect(t, 201, 201).tracking(t)
	id := created["id"].(string)
	pushGoldenCheckpoints(t, h, "1Z999AA10123456784")
	res := h.v4("GET", "/trackings/"+id, nil).expect(t, 200, 200)
	testhelper.CompareWithGolden(t, normalizeWire(t, envelopeData(t, res.Raw), id), filepath.Join("testdata", "v4", "tracking.golden.json"), *update)
}

// TestWebhookPayloadGolden pins the body of a tracking_update delivery in
// each API version an endpoint can choose, for the golden parcel as the
// core holds it after its checkpoints.
func TestWebhookPayloadGolden(t *testing.T) {
	h := newHarness(t, "sqlite")
	id := createDatedGolden(t, h)
	org, err := h.Tenants.Authenticate(context.Background(), h.Key)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := h.Core.Get(context.Background(), org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	e := waybill.Event{ID: "3f5c7a52-7f0e-4b8e-9d51-0c1f1e6f2a10", OrgID: org.ID, Type: "tracking_update", TrackingID: id,
		Tag: tr.Tag, Tracking: &tr, CreatedAt: time.Date(2026, 7, 7, 11, 15, 0, 0, time.UTC)}
	for _, version := range []string{"v4", "2026-07"} {
		t.Run(version, func(t *testing.T) {
			body, err := aftership.Payloads{}.WebhookPayload(e, version)
			if err != nil {
				t.Fatal(err)
			}
			testhelper.CompareWithGolden(t, normalizeWire(t, body, id), filepath.Join("testdata", "webhook", version+".golden.json"), *update)
		})
	}
}

// envelopeData returns the data member of an AfterShip envelope, as sent.
func envelopeData(t *testing.T, raw []byte) []byte {
	t.Helper()
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &envelope); err != nil {
		t.Fatal(err)
	}
	return envelope.Data
}

// timestamps matches the times Waybill stamps on a tracking and its
// checkpoints (not the carrier's checkpoint_time).
var timestamps = regexp.MustCompile(`"(created_at|updated_at|last_updated_at)":"[^"]+"`)

// pageToken matches the random page token of a tracking's page link.
var pageToken = regexp.MustCompile(`^[a-z2-7]{26}$`)

// pageLink matches the token part of a page link inside a rendered tracking.
var pageLink = regexp.MustCompile(`/t/[a-z2-7]{26}`)

// normalizeWire replaces what differs between runs (the random id and the
// times Waybill stamps) with placeholders, keeping the field order of the
// wire, and indents the result.
func normalizeWire(t *testing.T, raw []byte, id string) []byte {
	t.Helper()
	raw = bytes.ReplaceAll(raw, []byte(id), []byte("<id>"))
	raw = pageLink.ReplaceAll(raw, []byte("/t/<page-token>"))
	raw = timestamps.ReplaceAll(raw, []byte(`"$1":"<time>"`))
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(raw), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
