package aftership_test

import (
	"sort"
	"strings"
	"testing"
)

const datedBase = "/tracking/2026-07"

// dated sends a dated-API request with the harness key in as-api-key.
func (h *harness) dated(method, path string, body any) response {
	h.t.Helper()
	return h.do(method, datedBase+path, "as-api-key", h.Key, body)
}

// expectDated is expect plus the as-api-version header every dated
// response carries.
func (r response) expectDated(t *testing.T, status, code int) response {
	t.Helper()
	r.expect(t, status, code)
	if got := r.Header.Get("as-api-version"); got != "2026-07" {
		t.Fatalf("as-api-version = %q, want 2026-07", got)
	}
	return r
}

// kind is the JSON type the SDK model gives a field; a trailing "?" means
// the model allows null.
type kind string

// trackingModel is every field of the SDK's Tracking model
// (src/model/Tracking.ts in @aftership/tracking-sdk@17.0.0) with its type.
var trackingModel = map[string]kind{
	"id": "string", "legacy_id": "string", "created_at": "string", "updated_at": "string",
	"tracking_number": "string", "slug": "string", "active": "bool", "custom_fields": "object?",
	"transit_time": "number?", "origin_country_region": "string?", "origin_state": "string?",
	"origin_city": "string?", "origin_postal_code": "string?", "origin_raw_location": "string?",
	"destination_country_region": "string?", "destination_state": "string?", "destination_city": "string?",
	"destination_postal_code": "string?", "destination_raw_location": "string?",
	"courier_destination_country_region": "string?", "courier_estimated_delivery_date": "object?",
	"note": "string?", "order_id": "string?", "order_id_path": "string?", "order_date": "string?",
	"shipment_package_count": "number?", "shipment_pickup_date": "string?", "shipment_delivery_date": "string?",
	"shipment_type": "string?", "shipment_weight": "object?", "shipment_dimensions": "object?",
	"signed_by": "string?", "source": "string", "tag": "string", "subtag": "string", "subtag_message": "string",
	"title": "string", "tracked_count": "number", "language": "string?", "unique_token": "string",
	"checkpoints": "array", "subscribed_smses": "array", "subscribed_emails": "array", "return_to_sender": "bool",
	"order_promised_delivery_date": "object?", "delivery_type": "string?", "pickup_location": "string?",
	"pickup_note": "string?", "courier_tracking_link": "string?", "first_attempted_at": "string?",
	"courier_redirect_link": "string?", "tracking_account_number": "string?", "tracking_key": "string?",
	"tracking_ship_date": "string?", "on_time_status": "string?", "on_time_difference": "number?",
	"order_tags": "array", "aftership_estimated_delivery_date": "object?", "custom_estimated_delivery_date": "object?",
	"order_number": "string?", "first_estimated_delivery": "object?", "latest_estimated_delivery": "object?",
	"shipment_tags": "array", "courier_connection_id": "string?", "carbon_emissions": "object?",
	"location_id": "string?", "shipping_method": "string?", "failed_delivery_attempts": "number?",
	"signature_requirement": "string?", "delivery_location_type": "string?", "aftership_tracking_url": "string?",
	"aftership_tracking_order_url": "string?", "first_mile": "object?", "last_mile": "object?",
	"customers": "array", "proof_of_delivery": "array?", "multi_piece_info": "object?",
	"shipment_direction": "string?", "return_shipment": "object?", "forward_shipment": "object?",
}

// checkpointModel is every field of the SDK's Checkpoint model.
var checkpointModel = map[string]kind{
	"created_at": "string", "slug": "string", "checkpoint_time": "string", "location": "string?",
	"city": "string?", "state": "string?", "postal_code": "string?", "coordinate": "object?",
	"country_region": "string?", "country_region_name": "string?", "message": "string", "tag": "string",
	"subtag": "string", "subtag_message": "string", "raw_tag": "string?", "events": "array",
	"source": "string", "hash": "string",
}

// courierModel is the SDK's Courier model, less credentials (optional, and
// Waybill has no credential schema per courier yet).
var courierModel = map[string]kind{
	"slug": "string", "name": "string", "phone": "string?", "other_name": "string?", "web_url": "string?",
	"required_fields": "array?", "optional_fields": "array?", "default_language": "string?",
	"support_languages": "array?", "service_from_country_regions": "array?",
}

// checkModel fails unless obj has exactly the model's fields, each of the
// model's type.
func checkModel(t *testing.T, what string, obj map[string]any, model map[string]kind) {
	t.Helper()
	var missing, extra, wrong []string
	for name, k := range model {
		v, ok := obj[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		if !hasKind(v, k) {
			wrong = append(wrong, name+" is not "+string(k))
		}
	}
	for name := range obj {
		if _, ok := model[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(wrong)
	if len(missing)+len(extra)+len(wrong) > 0 {
		t.Errorf("%s does not match the SDK model:\nmissing %v\nextra %v\nwrong type %v", what, missing, extra, wrong)
	}
}

func hasKind(v any, k kind) bool {
	base, nullable := strings.CutSuffix(string(k), "?")
	if v == nil {
		return nullable
	}
	switch base {
	case "string":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// createDated creates a tracking through the dated API and returns it.
func (h *harness) createDated(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	return h.dated("POST", "/trackings", body).expectDated(t, 201, 201).Data
}
