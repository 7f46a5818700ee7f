package aftership_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestV4TrackingLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		created := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{
			"slug": "ups", "tracking_number": " 1z999aa1-0123456784 ", "title": "Blue shoes", "order_id": "ORD-1",
			"emails": []string{"ann@example.com"}, "custom_fields": map[string]string{"size": "42"},
			"destination_country_iso3": "gbr",
		}}).expect(t, 201, 201).tracking(t)
		id := created["id"].(string)
		for field, want := range map[string]any{"tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": "Pending",
			"subtag": "Pending_001", "title": "Blue shoes", "active": true, "destination_country_iso3": "GBR", "source": "api"} {
			if created[field] != want {
				t.Errorf("created %s = %v, want %v", field, created[field], want)
			}
		}
		// Fields without data are present with AfterShip's empty values.
		for _, field := range []string{"expected_delivery", "signed_by", "shipment_pickup_date", "delivery_time", "tracking_postal_code", "aftership_estimated_delivery_date"} {
			if v, ok := created[field]; !ok || v != nil {
				t.Errorf("%s = %v (present %v), want null", field, v, ok)
			}
		}
		for _, field := range []string{"checkpoints", "smses", "subscribed_emails", "android", "ios", "order_tags"} {
			if v, ok := created[field].([]any); !ok || len(v) != 0 {
				t.Errorf("%s = %#v, want []", field, created[field])
			}
		}

		// A second create answers 4003 and changes nothing.
		h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "other"}}).expect(t, 400, 4003)

		byID := h.v4("GET", "/trackings/"+id, nil).expect(t, 200, 200).tracking(t)
		bySlug := h.v4("GET", "/trackings/ups/1Z999AA10123456784", nil).expect(t, 200, 200).tracking(t)
		if byID["title"] != "Blue shoes" || bySlug["id"] != id {
			t.Fatalf("get by id %v, by slug %v", byID["title"], bySlug["id"])
		}
		fields := h.v4("GET", "/trackings/"+id+"?fields=title,tag", nil).expect(t, 200, 200).tracking(t)
		if len(fields) != 5 || fields["title"] != "Blue shoes" {
			t.Errorf("fields=title,tag gave %v", fields)
		}

		updated := h.v4("PUT", "/trackings/ups/1Z999AA10123456784", map[string]any{"tracking": map[string]any{"title": "Red shoes", "note": "fragile"}}).expect(t, 200, 200).tracking(t)
		if updated["title"] != "Red shoes" || updated["note"] != "fragile" || updated["order_id"] != "ORD-1" {
			t.Errorf("update: %v", updated)
		}

		// Retrack needs an inactive tracking, and works once.
		h.v4("POST", "/trackings/"+id+"/retrack", nil).expect(t, 400, 4013)
		done := h.v4("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "LOST"}).expect(t, 200, 200).tracking(t)
		if done["tag"] != "Exception" || done["subtag"] != "Exception_013" || done["active"] != false {
			t.Errorf("mark-as-completed LOST: %v %v %v", done["tag"], done["subtag"], done["active"])
		}
		h.v4("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "SOLD"}).expect(t, 400, 4008)
		re := h.v4("POST", "/trackings/ups/1Z999AA10123456784/retrack", nil).expect(t, 200, 200).tracking(t)
		if re["active"] != true {
			t.Errorf("retrack: %v", re)
		}
		h.v4("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "DELIVERED"}).expect(t, 200, 200)
		h.v4("POST", "/trackings/"+id+"/retrack", nil).expect(t, 400, 4016)

		last := h.v4("GET", "/last_checkpoint/"+id, nil).expect(t, 200, 200)
		if last.Data["tag"] != "Delivered" || last.Data["checkpoint"] != nil {
			t.Errorf("last_checkpoint: %s", last.Raw)
		}

		h.v4("DELETE", "/trackings/"+id, nil).expect(t, 200, 200)
		h.v4("GET", "/trackings/"+id, nil).expect(t, 404, 4004)
		h.v4("DELETE", "/trackings/ups/1Z999AA10123456784", nil).expect(t, 404, 4004)
	})
}

func TestV4Notifications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "dhl", "tracking_number": "1234567890", "emails": []string{"a@example.com"}}}).expect(t, 201, 201)
		add := h.v4("POST", "/notifications/dhl/1234567890/add", map[string]any{"notification": map[string]any{"emails": []string{"b@example.com", "a@example.com"}, "smses": []string{"+85291239123"}}}).expect(t, 200, 200)
		n := add.Data["notification"].(map[string]any)
		if fmt.Sprint(n["emails"]) != "[a@example.com b@example.com]" || fmt.Sprint(n["smses"]) != "[+85291239123]" {
			t.Errorf("after add: %v", n)
		}
		h.v4("POST", "/notifications/dhl/1234567890/remove", map[string]any{"notification": map[string]any{"emails": []string{"a@example.com"}}}).expect(t, 200, 200)
		got := h.v4("GET", "/notifications/dhl/1234567890", nil).expect(t, 200, 200).Data["notification"].(map[string]any)
		if fmt.Sprint(got["emails"]) != "[b@example.com]" {
			t.Errorf("after remove: %v", got)
		}
		h.v4("POST", "/notifications/dhl/1234567890/add", map[string]any{}).expect(t, 400, 4014)
		h.v4("POST", "/notifications/dhl/1234567890/add", map[string]any{"notification": map[string]any{"emails": []string{"not-an-email"}}}).expect(t, 400, 4008)
	})
}

func TestV4List(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		for i := range 7 {
			slug := []string{"ups", "fedex"}[i%2]
			h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": slug, "tracking_number": fmt.Sprintf("LIST%04d", i), "title": fmt.Sprintf("order %d", i)}}).expect(t, 201, 201)
		}
		all := h.v4("GET", "/trackings?limit=3&page=3", nil).expect(t, 200, 200)
		if all.Data["count"] != float64(7) || len(all.Data["trackings"].([]any)) != 1 {
			t.Errorf("page 3 of 3: %s", all.Raw)
		}
		ups := h.v4("GET", "/trackings?slug=ups&keyword=ORDER", nil).expect(t, 200, 200)
		if ups.Data["count"] != float64(4) {
			t.Errorf("slug=ups: count %v", ups.Data["count"])
		}
		nums := h.v4("GET", "/trackings?tracking_numbers=list0001,LIST0002", nil).expect(t, 200, 200)
		if nums.Data["count"] != float64(2) {
			t.Errorf("tracking_numbers: count %v", nums.Data["count"])
		}
		h.v4("GET", "/trackings?limit=500", nil).expect(t, 400, 4008)
		h.v4("GET", "/trackings?tag=Lost", nil).expect(t, 400, 4008)
		h.v4("GET", "/trackings?created_at_min=yesterday", nil).expect(t, 400, 4008)
	})
}

// TestV4BadInput: every refusal is in the envelope, has AfterShip's code,
// and changes nothing.
func TestV4BadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine, func(o *harnessOptions) { o.maxBody = 4096 })
		for _, tt := range []struct {
			name         string
			body         any
			status, code int
		}{
			{"invalid JSON", `{"tracking": {`, 400, 4001},
			{"not an object", `[1,2]`, 400, 4001},
			{"no tracking object", `{}`, 400, 4006},
			{"null tracking", `{"tracking": null}`, 400, 4006},
			{"no number", `{"tracking": {"slug": "ups"}}`, 400, 4007},
			{"blank number", `{"tracking": {"slug": "ups", "tracking_number": "   "}}`, 400, 4007},
			{"number too long", `{"tracking": {"slug": "ups", "tracking_number": "` + strings.Repeat("9", 100) + `"}}`, 400, 4005},
			{"unknown slug", `{"tracking": {"slug": "pigeon-post", "tracking_number": "123456"}}`, 400, 4010},
			{"slug wrong type", `{"tracking": {"slug": 42, "tracking_number": "123456"}}`, 400, 4010},
			{"title wrong type", `{"tracking": {"slug": "ups", "tracking_number": "123456", "title": 7}}`, 400, 4008},
			{"bad email", `{"tracking": {"slug": "ups", "tracking_number": "123456", "emails": ["x"]}}`, 400, 4008},
			{"bad country", `{"tracking": {"slug": "ups", "tracking_number": "123456", "origin_country_iso3": "United Kingdom"}}`, 400, 4008},
			{"undetectable", `{"tracking": {"tracking_number": "HELLO"}}`, 400, 4012},
			{"oversized", `{"tracking": {"slug": "ups", "tracking_number": "1", "note": "` + strings.Repeat("x", 5000) + `"}}`, 413, 413},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h.v4("POST", "/trackings", tt.body).expect(t, tt.status, tt.code)
			})
		}
		list := h.v4("GET", "/trackings", nil).expect(t, 200, 200)
		if list.Data["count"] != float64(0) {
			t.Errorf("bad input left %v trackings behind", list.Data["count"])
		}
		h.v4("GET", "/trackings/not-a-real-id", nil).expect(t, 404, 4004)
		h.v4("GET", "/trackings/%20bad%00id", nil).expect(t, 404, 4004)
	})
}

func TestV4AuthAndTenancy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		tr := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "TENANT001", "customer_name": "Ann Secret"}}).expect(t, 201, 201).tracking(t)
		id := tr["id"].(string)

		h.do("GET", "/v4/trackings/"+id, "", "", nil).expect(t, 401, 401)
		h.do("GET", "/v4/trackings/"+id, "", "wb_wrongwrongwrongwrong", nil).expect(t, 401, 401)
		// as-api-key works on v4 too.
		h.do("GET", "/v4/trackings/"+id, "as-api-key", h.Key, nil).expect(t, 200, 200)

		other := h.otherKey()
		for _, req := range []struct{ method, path string }{
			{"GET", "/v4/trackings/" + id}, {"GET", "/v4/trackings/ups/TENANT001"}, {"PUT", "/v4/trackings/" + id},
			{"DELETE", "/v4/trackings/" + id}, {"POST", "/v4/trackings/" + id + "/mark-as-completed"},
			{"GET", "/v4/last_checkpoint/" + id}, {"GET", "/v4/notifications/" + id},
		} {
			var body any
			if req.method == "PUT" {
				body = map[string]any{"tracking": map[string]any{"title": "hijack"}}
			} else if req.method == "POST" {
				body = map[string]any{"reason": "LOST"}
			}
			r := h.do(req.method, req.path, "", other, body).expect(t, 404, 4004)
			if strings.Contains(string(r.Raw), "Ann Secret") {
				t.Errorf("%s %s leaks another organization's data: %s", req.method, req.path, r.Raw)
			}
		}
		list := h.do("GET", "/v4/trackings", "", other, nil).expect(t, 200, 200)
		if list.Data["count"] != float64(0) {
			t.Errorf("other organization lists %v trackings", list.Data["count"])
		}
		// Nothing changed for the owner.
		again := h.v4("GET", "/trackings/"+id, nil).expect(t, 200, 200).tracking(t)
		if again["title"] != "TENANT001" || again["tag"] != "Pending" {
			t.Errorf("owner's tracking changed: %v %v", again["title"], again["tag"])
		}
	})
}

func TestV4RateLimit(t *testing.T) {
	h := newHarness(t, "sqlite", func(o *harnessOptions) { o.rateScale = 1; o.legacyRate = 3 })
	var last response
	for i := range 4 {
		last = h.v4("GET", "/couriers", nil)
		if i < 3 {
			last.expect(t, 200, 200)
			if got := last.Header.Get("X-RateLimit-Remaining"); got != fmt.Sprint(2-i) {
				t.Errorf("request %d: X-RateLimit-Remaining %q, want %d", i, got, 2-i)
			}
		}
	}
	last.expect(t, http.StatusTooManyRequests, 429)
	if last.Meta.Type != "TooManyRequests" || last.Header.Get("X-RateLimit-Limit") != "3" || last.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("429 meta %+v, headers %v", last.Meta, last.Header)
	}
	// Another key has its own budget.
	h.do("GET", "/v4/couriers", "", h.otherKey(), nil).expect(t, 200, 200)
}

func TestV4Couriers(t *testing.T) {
	h := newHarness(t, "sqlite")
	active := h.v4("GET", "/couriers", nil).expect(t, 200, 200)
	all := h.v4("GET", "/couriers/all", nil).expect(t, 200, 200)
	// A new organization has every courier activated (issue 17).
	if a, b := active.Data["total"].(float64), all.Data["total"].(float64); b < 150 || a != b {
		t.Errorf("activated %v, all %v couriers; want all activated", a, b)
	}
	det := h.v4("POST", "/couriers/detect", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784"}}).expect(t, 200, 200)
	first := det.Data["couriers"].([]any)[0].(map[string]any)
	if first["slug"] != "ups" {
		t.Errorf("detect 1Z number: first %v", first["slug"])
	}
	h.v4("POST", "/couriers/detect", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784", "slug": []string{"fedex"}}}).expect(t, 400, 4012)
	h.v4("POST", "/couriers/detect", map[string]any{}).expect(t, 400, 4006)
	h.v4("POST", "/couriers/detect", map[string]any{"tracking": map[string]any{}}).expect(t, 400, 4007)

	// Create without slug takes the detected courier.
	tr := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784"}}).expect(t, 201, 201).tracking(t)
	if tr["slug"] != "ups" {
		t.Errorf("create without slug: slug %v", tr["slug"])
	}
	// slug_group narrows detection: a UPS number is no FedEx.
	h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784", "slug_group": "fedex-group"}}).expect(t, 400, 4012)
}
