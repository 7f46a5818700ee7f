package tracker_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// v4Tracking reads the tracker's tracking through the AfterShip face: the
// same tracking, with its order fields.
func (s *stack) v4Tracking(trackingID string) map[string]any {
	s.t.Helper()
	code, b := s.admin("GET", "/v4/trackings/"+trackingID, nil)
	if code != http.StatusOK {
		s.t.Fatalf("GET /v4/trackings/%s = %d %v", trackingID, code, b)
	}
	return b["data"].(map[string]any)["tracking"].(map[string]any)
}

// TestUpdateAndCancel changes what the vendor allows, refuses the rest,
// and cancels: ORDER_CANCELLED, the tracking no longer polled, no change
// after. Both engines.
func TestUpdateAndCancel(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine, "trackers_business", nil)
			s.configure("Self Delivery", "sandbox")
			code, created := s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) { m["trackingId"] = "SBXNOTHING1" }))
			if code != http.StatusCreated {
				t.Fatal(code, created)
			}
			trackingID := created["source"].(map[string]any)["id"].(string)

			code, b := s.tracker("PUT", "/api/v2/tracker/tracker001", map[string]any{
				"deliveryContact":      map[string]any{"name": "Mei Wan", "phone": "+12323232323", "email": "mei@example.com"},
				"deliveryInstructions": "Leave at the door",
				"deliveryTime":         map[string]any{"startsAt": 4102444800000, "endsAt": 4102448400000},
				"orderAttributes":      map[string]any{"giftWrap": true},
				"trackingId":           "SBXNOTHING2",
			})
			if code != http.StatusOK || b["deliveryContact"].(map[string]any)["name"] != "Mei Wan" || b["deliveryInstructions"] != "Leave at the door" ||
				b["trackingId"] != "SBXNOTHING2" || b["orderAttributes"].(map[string]any)["giftWrap"] != true {
				t.Fatalf("update = %d %v", code, b)
			}
			v4 := s.v4Tracking(trackingID)
			if v4["tracking_number"] != "SBXNOTHING2" || !slices.Equal(anyStrings(v4["emails"]), []string{"mei@example.com"}) ||
				!slices.Equal(anyStrings(v4["smses"]), []string{"+12323232323"}) || v4["customer_name"] != "Mei Wan" ||
				v4["order_number"] != "tracker001" || v4["custom_fields"].(map[string]any)["giftWrap"] != "true" {
				t.Errorf("the tracking after the update = %v", v4)
			}
			for name, body := range map[string]map[string]any{
				"provider":          {"provider": "UPS"},
				"type":              {"type": "pickup"},
				"groupId":           {"groupId": "g"},
				"trackerExternalId": {"trackerExternalId": "other"},
				"bad window":        {"pickupTime": map[string]any{"startsAt": 2, "endsAt": 1}},
			} {
				code, b := s.tracker("PUT", "/api/v2/tracker/tracker001", body)
				wantError(t, "update "+name, code, b, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", nil)
			}
			if code, b := s.tracker("PUT", "/api/v2/tracker/nope", map[string]any{}); code != http.StatusNotFound {
				t.Errorf("update unknown = %d %v", code, b)
			}

			before := s.v4Tracking(trackingID)
			code, b = s.tracker("DELETE", "/api/v2/tracker/tracker001", nil)
			if code != http.StatusOK || b["status"] != "ORDER_CANCELLED" {
				t.Fatalf("cancel = %d %v", code, b)
			}
			if code, b := s.tracker("GET", "/api/v2/tracker/tracker001", nil); code != http.StatusOK || b["status"] != "ORDER_CANCELLED" {
				t.Errorf("get after cancel = %d %v", code, b)
			}
			after := s.v4Tracking(trackingID)
			if after["active"] != false {
				t.Errorf("the cancelled tracker's tracking is still active: %v", after)
			}
			// A poll queued before the cancel (the create's was due at
			// creation) finds nothing to do.
			tr, err := s.Trackings.Get(context.Background(), s.Org.ID, trackingID)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Trackings.Poll(context.Background(), s.Org.ID, trackingID, tr.CreatedAt); err != nil {
				t.Fatal(err)
			}
			if again := s.v4Tracking(trackingID); len(again["checkpoints"].([]any)) != len(before["checkpoints"].([]any)) || again["active"] != false {
				t.Errorf("a poll after the cancel changed the tracking: %v", again)
			}
			code, b = s.tracker("DELETE", "/api/v2/tracker/tracker001", nil)
			wantError(t, "cancel twice", code, b, http.StatusUnprocessableEntity, "ORDER_ALREADY_CANCELLED", "hard", nil)
			code, b = s.tracker("PUT", "/api/v2/tracker/tracker001", map[string]any{"deliveryInstructions": "x"})
			wantError(t, "update after cancel", code, b, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", nil)
		})
	}
}

// TestWarnings: what a create accepts but may surprise comes back as
// warnings on the 201, and the tracker is made.
func TestWarnings(t *testing.T) {
	s := newStack(t, testdb.Engines()[0], "trackers_business", nil)
	s.configure("Self Delivery", "sandbox")
	if code, b := s.admin("POST", "/v1/providers", map[string]any{"name": "UPS", "slug": "ups"}); code != http.StatusCreated {
		t.Fatal(code, b)
	}
	code, b := s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
		m["provider"] = "UPS"
		m["trackingId"] = "SBXDELIVERED77" // a sandbox number, not a UPS one
		m["barcodes"] = []string{"1", "2", "1", "1"}
		m["deliveryAddress"].(map[string]any)["countryCode"] = "United States"
		m["locale"] = "ja-JP"
	}))
	if code != http.StatusCreated {
		t.Fatal(code, b)
	}
	var types []string
	for _, w := range b["warnings"].([]any) {
		types = append(types, w.(map[string]any)["type"].(string))
		if w.(map[string]any)["message"] == "" {
			t.Errorf("warning without a message: %v", w)
		}
	}
	slices.Sort(types)
	want := []string{"COUNTRY_NORMALIZED", "DELIVERY_WINDOW_PASSED", "DUPLICATE_BARCODES_DROPPED", "TRACKING_ID_FORMAT", "UNKNOWN_LOCALE"}
	if !slices.Equal(types, want) {
		t.Errorf("warnings %v, want %v", types, want)
	}
	if cc := b["deliveryAddress"].(map[string]any)["countryCode"]; cc != "US" {
		t.Errorf("countryCode = %v, want US", cc)
	}
	if bc := anyStrings(b["barcodes"]); !slices.Equal(bc, []string{"1", "2"}) {
		t.Errorf("barcodes = %v, want [1 2]", bc)
	}
	// No surprise, no warnings key.
	code, b = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
		m["trackerExternalId"], m["trackingId"] = "t2", "SBXDELIVERED78"
		m["deliveryTime"] = map[string]any{"endsAt": 4102444800000}
	}))
	if _, ok := b["warnings"]; code != http.StatusCreated || ok {
		t.Errorf("create without surprises = %d %v, want no warnings", code, b)
	}
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
