package aftership_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDatedCouriers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		active := h.dated("GET", "/couriers", nil).expectDated(t, 200, 200)
		all := h.dated("GET", "/couriers?active=false", nil).expectDated(t, 200, 200)
		// A new organization has every courier activated (issue 17).
		if a, b := active.Data["total"].(float64), all.Data["total"].(float64); b < 150 || a != b {
			t.Errorf("activated %v, all %v couriers; want all activated", a, b)
		}
		if explicit := h.dated("GET", "/couriers?active=true", nil).expectDated(t, 200, 200); explicit.Data["total"] != active.Data["total"] {
			t.Errorf("active=true gave %v couriers, the default %v", explicit.Data["total"], active.Data["total"])
		}
		for _, c := range all.Data["couriers"].([]any) {
			cm := c.(map[string]any)
			checkModel(t, "courier "+cm["slug"].(string), cm, courierModel)
			for _, region := range cm["service_from_country_regions"].([]any) {
				if s := region.(string); len(s) != 2 {
					t.Errorf("courier %s: service_from_country_regions has %q, want alpha-2", cm["slug"], s)
				}
			}
		}

		one := h.dated("GET", "/couriers?active=false&slug=postnl-3s,UPS", nil).expectDated(t, 200, 200)
		if one.Data["total"] != float64(2) {
			t.Fatalf("slug=postnl-3s,UPS: %s", one.Raw)
		}
		var postnl map[string]any
		for _, c := range one.Data["couriers"].([]any) {
			if c.(map[string]any)["slug"] == "postnl-3s" {
				postnl = c.(map[string]any)
			}
		}
		// Required fields carry their 2026-07 names.
		if diff := cmp.Diff([]any{"destination_country_region", "destination_postal_code"}, postnl["required_fields"]); diff != "" {
			t.Errorf("postnl-3s required_fields mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{"NL"}, postnl["service_from_country_regions"]); diff != "" {
			t.Errorf("postnl-3s service_from_country_regions mismatch (-want +got):\n%s", diff)
		}
		h.dated("GET", "/couriers?active=maybe", nil).expectDated(t, 400, 4008)
	})
}

func TestDatedDetect(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		det := h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784"}).expectDated(t, 200, 200)
		couriers := det.Data["couriers"].([]any)
		if det.Data["total"] != float64(len(couriers)) || len(couriers) == 0 {
			t.Fatalf("detect: %s", det.Raw)
		}
		first := couriers[0].(map[string]any)
		checkModel(t, "detected courier", first, courierModel)
		if first["slug"] != "ups" {
			t.Errorf("detect 1Z number: first %v", first["slug"])
		}
		// Hints in their 2026-07 names are accepted.
		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784", "origin_country_region": "US",
			"destination_country_region": "GB", "destination_postal_code": "SW1A 1AA", "destination_state": "London"}).expectDated(t, 200, 200)

		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784", "slug": []string{"fedex"}}).expectDated(t, 400, 4012)
		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784", "slug_group": "fedex-group"}).expectDated(t, 400, 4012)
		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "HELLO"}).expectDated(t, 400, 4012)
		h.dated("POST", "/couriers/detect", "").expectDated(t, 400, 4006)
		h.dated("POST", "/couriers/detect", map[string]any{}).expectDated(t, 400, 4007)
		h.dated("POST", "/couriers/detect", `{"tracking_number": `).expectDated(t, 400, 4001)
		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784", "slug": "ups"}).expectDated(t, 400, 4008)
		h.dated("POST", "/couriers/detect", map[string]any{"tracking_number": "1Z999AA10123456784", "origin_country_region": "Mars"}).expectDated(t, 400, 4008)

		// Create without slug takes the detected courier.
		tr := h.createDated(t, map[string]any{"tracking_number": "1Z999AA10123456784"})
		if tr["slug"] != "ups" {
			t.Errorf("create without slug: slug %v", tr["slug"])
		}
		h.dated("POST", "/trackings", map[string]any{"tracking_number": "1Z999AA10123456784", "slug_group": "fedex-group"}).expectDated(t, 400, 4012)
	})
}
