package aftership_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDatedTrackingLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		created := h.createDated(t, map[string]any{
			"slug": "ups", "tracking_number": " 1z999aa1-0123456784 ", "title": "Blue shoes", "order_id": "ORD-1",
			"order_number": "#1001", "origin_country_region": "cn", "destination_country_region": "GB",
			"destination_postal_code": "SW1A 1AA", "destination_city": "London", "tracking_ship_date": "2026-07-01",
			"custom_fields": map[string]any{"size": "42", "gift": true}, "shipment_tags": []string{"vip"},
			"shipment_direction": "forward", "delivery_type": "door_to_door",
			"order_promised_delivery_date": map[string]any{"promised_delivery_date": "2026-07-09"},
			"customers":                    []map[string]any{{"role": "buyer", "name": "Ann", "email": "ann@example.com", "phone_number": "+447700900123"}},
			"location_id":                  "loc-1", "shipping_method": "Express", "origin_city": "Shenzhen",
		})
		checkModel(t, "created tracking", created, trackingModel)
		id := created["id"].(string)
		for field, want := range map[string]any{
			"tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": "Pending", "subtag": "Pending_001",
			"title": "Blue shoes", "active": true, "source": "api", "legacy_id": id,
			"origin_country_region": "CN", "destination_country_region": "GB", "courier_destination_country_region": "GB",
			"destination_postal_code": "SW1A 1AA", "destination_city": "London", "tracking_ship_date": "2026-07-01",
			"shipment_direction": "forward", "delivery_type": "door_to_door", "order_number": "#1001",
			"courier_tracking_link": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
		} {
			if got := created[field]; got != want {
				t.Errorf("created %s = %#v, want %#v", field, got, want)
			}
		}
		// The page link carries a random page token: not the id, not the number.
		page, _ := created["aftership_tracking_url"].(string)
		token, ok := strings.CutPrefix(page, "http://waybill.test/t/")
		if !ok || !pageToken.MatchString(token) || strings.Contains(page, id) || strings.Contains(page, "1Z999AA10123456784") {
			t.Errorf("aftership_tracking_url = %q, want http://waybill.test/t/{random page token}", page)
		}
		if got := created["aftership_tracking_order_url"]; got != page+"/order" {
			t.Errorf("aftership_tracking_order_url = %#v, want %q", got, page+"/order")
		}
		if diff := cmp.Diff(map[string]any{"size": "42", "gift": "true"}, created["custom_fields"]); diff != "" {
			t.Errorf("custom_fields mismatch (-want +got):\n%s", diff)
		}
		wantCustomers := []any{map[string]any{"role": nil, "name": "Ann", "email": "ann@example.com", "phone_number": "+447700900123", "language": nil, "id": nil}}
		if diff := cmp.Diff(wantCustomers, created["customers"]); diff != "" {
			t.Errorf("customers mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]any{"promised_delivery_date": "2026-07-09", "promised_delivery_date_min": nil, "promised_delivery_date_max": nil}, created["order_promised_delivery_date"]); diff != "" {
			t.Errorf("order_promised_delivery_date mismatch (-want +got):\n%s", diff)
		}

		// A second create answers 4003 and changes nothing.
		h.dated("POST", "/trackings", map[string]any{"slug": "ups", "tracking_number": "1Z999AA10123456784", "title": "other"}).expectDated(t, 400, 4003)

		got := h.dated("GET", "/trackings/"+id, nil).expectDated(t, 200, 200).Data
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("get differs from create (-create +get):\n%s", diff)
		}
		fields := h.dated("GET", "/trackings/"+id+"?fields=title,tag&lang=en", nil).expectDated(t, 200, 200).Data
		if len(fields) != 5 || fields["title"] != "Blue shoes" || fields["tag"] != "Pending" {
			t.Errorf("fields=title,tag gave %v", fields)
		}

		// Update: present fields change, absent ones stay; customers
		// replaces the recipients.
		updated := h.dated("PUT", "/trackings/"+id, map[string]any{
			"title": "Red shoes", "note": "fragile", "destination_country_region": "IE",
			"customers": []map[string]any{{"email": "bob@example.com"}, {"phone_number": "+353861234567"}},
		}).expectDated(t, 200, 200).Data
		for field, want := range map[string]any{"title": "Red shoes", "note": "fragile", "order_id": "ORD-1",
			"destination_country_region": "IE", "origin_country_region": "CN", "destination_postal_code": "SW1A 1AA"} {
			if updated[field] != want {
				t.Errorf("updated %s = %#v, want %#v", field, updated[field], want)
			}
		}
		custs := updated["customers"].([]any)
		if len(custs) != 1 || custs[0].(map[string]any)["email"] != "bob@example.com" || custs[0].(map[string]any)["phone_number"] != "+353861234567" {
			t.Errorf("updated customers: %v", updated["customers"])
		}
		// Refused updates change nothing.
		h.dated("PUT", "/trackings/"+id, `{"title": `).expectDated(t, 400, 4001)
		h.dated("PUT", "/trackings/"+id, "").expectDated(t, 400, 4006)
		h.dated("PUT", "/trackings/"+id, map[string]any{"title": "x", "slug": "pigeon-post"}).expectDated(t, 400, 4010)
		h.dated("PUT", "/trackings/"+id, map[string]any{"title": "x", "origin_country_region": "XX"}).expectDated(t, 400, 4008)
		if again := h.dated("GET", "/trackings/"+id, nil).expectDated(t, 200, 200).Data; again["title"] != "Red shoes" {
			t.Errorf("a refused update changed the title to %v", again["title"])
		}

		// Retrack needs an inactive tracking, and works once.
		h.dated("POST", "/trackings/"+id+"/retrack", nil).expectDated(t, 400, 4013)
		h.dated("POST", "/trackings/"+id+"/mark-as-completed", nil).expectDated(t, 400, 4009)
		h.dated("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "SOLD"}).expectDated(t, 400, 4008)
		done := h.dated("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "LOST", "event_datetime": "2026-07-10T10:00:00Z"}).expectDated(t, 200, 200).Data
		checkModel(t, "completed tracking", done, trackingModel)
		if done["tag"] != "Exception" || done["subtag"] != "Exception_013" || done["active"] != false {
			t.Errorf("mark-as-completed LOST: %v %v %v", done["tag"], done["subtag"], done["active"])
		}
		re := h.dated("POST", "/trackings/"+id+"/retrack", nil).expectDated(t, 200, 200).Data
		checkModel(t, "retracked tracking", re, trackingModel)
		if re["active"] != true || re["id"] != id {
			t.Errorf("retrack: active %v id %v", re["active"], re["id"])
		}
		h.dated("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "DELIVERED"}).expectDated(t, 200, 200)
		h.dated("POST", "/trackings/"+id+"/retrack", nil).expectDated(t, 400, 4016)

		deleted := h.dated("DELETE", "/trackings/"+id, nil).expectDated(t, 200, 200).Data
		if deleted["id"] != id || deleted["tag"] != "Delivered" {
			t.Errorf("delete returned %v %v", deleted["id"], deleted["tag"])
		}
		h.dated("GET", "/trackings/"+id, nil).expectDated(t, 404, 4004)
		h.dated("DELETE", "/trackings/"+id, nil).expectDated(t, 404, 4004)
		h.dated("POST", "/trackings/"+id+"/retrack", nil).expectDated(t, 404, 4004)
	})
}

// TestDatedCourierRequiredFields: the 2026-07 address fields satisfy a
// courier's required fields (postnl-3s needs the destination country and
// postal code).
func TestDatedCourierRequiredFields(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		h.dated("POST", "/trackings", map[string]any{"slug": "postnl-3s", "tracking_number": "3SABCD1234567"}).expectDated(t, 400, 4011)
		tr := h.createDated(t, map[string]any{"slug": "postnl-3s", "tracking_number": "3SABCD1234567",
			"destination_country_region": "NL", "destination_postal_code": "1012AB"})
		if tr["destination_country_region"] != "NL" || tr["destination_postal_code"] != "1012AB" {
			t.Errorf("created: %v %v", tr["destination_country_region"], tr["destination_postal_code"])
		}
	})
}

func TestDatedList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ids := map[string]bool{}
		for i := range 7 {
			tr := h.createDated(t, map[string]any{"slug": []string{"ups", "fedex"}[i%2], "tracking_number": fmt.Sprintf("LIST%04d", i),
				"title": fmt.Sprintf("order %d", i), "origin_country_region": []string{"US", "DE"}[i%2]})
			ids[tr["id"].(string)] = false
		}

		// Cursor pages visit every tracking once, newest first.
		cursor, pages := "", 0
		for {
			path := "/trackings?limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			res := h.dated("GET", path, nil).expectDated(t, 200, 200)
			pages++
			pg := res.Data["pagination"].(map[string]any)
			if pg["total"] != float64(7) {
				t.Errorf("page %d: total %v", pages, pg["total"])
			}
			for _, tr := range res.Data["trackings"].([]any) {
				tm := tr.(map[string]any)
				checkModel(t, "listed tracking", tm, trackingModel)
				id := tm["id"].(string)
				if seen, ok := ids[id]; !ok || seen {
					t.Errorf("page %d: tracking %s unknown or seen before", pages, id)
				}
				ids[id] = true
			}
			if pg["has_next_page"] == false {
				if pg["next_cursor"] != "" {
					t.Errorf("last page: next_cursor %v", pg["next_cursor"])
				}
				break
			}
			cursor = pg["next_cursor"].(string)
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if pages != 3 {
			t.Errorf("7 trackings in pages of 3 took %d pages", pages)
		}
		for id, seen := range ids {
			if !seen {
				t.Errorf("tracking %s was never listed", id)
			}
		}

		for _, tt := range []struct {
			query string
			want  int
		}{
			{"slug=ups", 4},
			{"slug=ups&keyword=ORDER", 4},
			{"tracking_numbers=list0001,LIST0002", 2},
			{"origin=DE", 3},
			{"origin=deu,us", 7},
			{"destination=GB", 0},
			{"tag=Pending", 7},
			{"created_at_min=2000-01-01T00:00:00Z", 7},
		} {
			res := h.dated("GET", "/trackings?"+tt.query, nil).expectDated(t, 200, 200)
			if got := len(res.Data["trackings"].([]any)); got != tt.want {
				t.Errorf("%s: %d trackings, want %d", tt.query, got, tt.want)
			}
		}
		slim := h.dated("GET", "/trackings?limit=1&fields=title", nil).expectDated(t, 200, 200)
		if tr := slim.Data["trackings"].([]any)[0].(map[string]any); len(tr) != 4 {
			t.Errorf("fields=title: %v", tr)
		}

		for _, bad := range []string{
			"cursor=not-a-cursor", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("wb1.-5")),
			"cursor=" + base64.RawURLEncoding.EncodeToString([]byte("wb1.12x")), "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("123")),
			"cursor=" + strings.Repeat("A", 100), "limit=0", "limit=500", "tag=Lost", "origin=Germany",
			"created_at_min=yesterday", "shipment_tags=vip",
		} {
			h.dated("GET", "/trackings?"+bad, nil).expectDated(t, 400, 4008)
		}
	})
}

// TestDatedBadInput: every refusal is in the envelope, has AfterShip's code,
// carries as-api-version, and changes nothing.
func TestDatedBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine, func(o *harnessOptions) { o.maxBody = 4096 })
		for _, tt := range []struct {
			name         string
			body         any
			status, code int
		}{
			{"invalid JSON", `{"tracking_number": `, 400, 4001},
			{"not an object", `[1,2]`, 400, 4001},
			{"a string", `"1Z999AA10123456784"`, 400, 4001},
			{"empty body", ``, 400, 4006},
			{"whitespace body", " \n ", 400, 4006},
			{"null body", `null`, 400, 4006},
			{"no number", `{}`, 400, 4007},
			{"blank number", `{"slug": "ups", "tracking_number": "   "}`, 400, 4007},
			{"number wrong type", `{"tracking_number": 123456}`, 400, 4008},
			{"number too long", `{"slug": "ups", "tracking_number": "` + strings.Repeat("9", 100) + `"}`, 400, 4005},
			{"unknown slug", `{"slug": "pigeon-post", "tracking_number": "123456"}`, 400, 4010},
			{"slug wrong type", `{"slug": 42, "tracking_number": "123456"}`, 400, 4010},
			{"title wrong type", `{"slug": "ups", "tracking_number": "123456", "title": 7}`, 400, 4008},
			{"custom id", `{"id": "mine", "slug": "ups", "tracking_number": "123456"}`, 400, 4008},
			{"bad country", `{"slug": "ups", "tracking_number": "123456", "origin_country_region": "ZZ"}`, 400, 4008},
			{"country name", `{"slug": "ups", "tracking_number": "123456", "destination_country_region": "United Kingdom"}`, 400, 4008},
			{"bad direction", `{"slug": "ups", "tracking_number": "123456", "shipment_direction": "sideways"}`, 400, 4008},
			{"bad delivery type", `{"slug": "ups", "tracking_number": "123456", "delivery_type": "drone"}`, 400, 4008},
			{"nested custom field", `{"slug": "ups", "tracking_number": "123456", "custom_fields": {"a": {"b": 1}}}`, 400, 4008},
			{"custom fields list", `{"slug": "ups", "tracking_number": "123456", "custom_fields": [1]}`, 400, 4008},
			{"bad promised date", `{"slug": "ups", "tracking_number": "123456", "order_promised_delivery_date": {"promised_delivery_date": "soon"}}`, 400, 4008},
			{"promised date wrong type", `{"slug": "ups", "tracking_number": "123456", "order_promised_delivery_date": 5}`, 400, 4008},
			{"customers not a list", `{"slug": "ups", "tracking_number": "123456", "customers": {"email": "a@example.com"}}`, 400, 4008},
			{"too many customers", `{"slug": "ups", "tracking_number": "123456", "customers": [{}, {}, {}, {}]}`, 400, 4008},
			{"bad customer email", `{"slug": "ups", "tracking_number": "123456", "customers": [{"email": "x"}]}`, 400, 4008},
			{"bad customer phone", `{"slug": "ups", "tracking_number": "123456", "customers": [{"phone_number": "call me"}]}`, 400, 4008},
			{"last_mile wrong type", `{"slug": "ups", "tracking_number": "123456", "last_mile": "dhl"}`, 400, 4008},
			{"undetectable", `{"tracking_number": "HELLO"}`, 400, 4012},
			{"oversized", `{"slug": "ups", "tracking_number": "1", "note": "` + strings.Repeat("x", 5000) + `"}`, 413, 413},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h.dated("POST", "/trackings", tt.body).expectDated(t, tt.status, tt.code)
			})
		}
		list := h.dated("GET", "/trackings", nil).expectDated(t, 200, 200)
		if total := list.Data["pagination"].(map[string]any)["total"]; total != float64(0) {
			t.Errorf("bad input left %v trackings behind", total)
		}
		h.dated("GET", "/trackings/not-a-real-id", nil).expectDated(t, 404, 4004)
		h.dated("GET", "/trackings/%20bad%00id", nil).expectDated(t, 404, 4004)
		// Unknown paths and methods are answered in the envelope too.
		h.dated("GET", "/nothing-here", nil).expectDated(t, 404, 404)
		h.dated("PATCH", "/trackings/abc", map[string]any{}).expectDated(t, 404, 404)
	})
}

func TestDatedAuthAndTenancy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		tr := h.createDated(t, map[string]any{"slug": "ups", "tracking_number": "TENANT001",
			"customers": []map[string]any{{"name": "Ann Secret", "email": "ann@example.com"}}})
		id := tr["id"].(string)

		h.do("GET", datedBase+"/trackings/"+id, "as-api-key", "", nil).expectDated(t, 401, 401)
		h.do("GET", datedBase+"/trackings/"+id, "as-api-key", "wb_wrongwrongwrongwrong", nil).expectDated(t, 401, 401)
		// The v4 header is not accepted by the dated API.
		h.do("GET", datedBase+"/trackings/"+id, "aftership-api-key", h.Key, nil).expectDated(t, 401, 401)
		h.do("GET", datedBase+"/couriers", "aftership-api-key", h.Key, nil).expectDated(t, 401, 401)

		other := h.otherKey()
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/trackings/" + id, nil},
			{"PUT", "/trackings/" + id, map[string]any{"title": "hijack"}},
			{"DELETE", "/trackings/" + id, nil},
			{"POST", "/trackings/" + id + "/retrack", nil},
			{"POST", "/trackings/" + id + "/mark-as-completed", map[string]any{"reason": "LOST"}},
		} {
			r := h.do(req.method, datedBase+req.path, "as-api-key", other, req.body).expectDated(t, 404, 4004)
			if strings.Contains(string(r.Raw), "Ann Secret") {
				t.Errorf("%s %s leaks another organization's data: %s", req.method, req.path, r.Raw)
			}
		}
		list := h.do("GET", datedBase+"/trackings", "as-api-key", other, nil).expectDated(t, 200, 200)
		if n := len(list.Data["trackings"].([]any)); n != 0 {
			t.Errorf("other organization lists %d trackings", n)
		}
		again := h.dated("GET", "/trackings/"+id, nil).expectDated(t, 200, 200).Data
		if again["title"] != "TENANT001" || again["tag"] != "Pending" || again["active"] != true {
			t.Errorf("owner's tracking changed: %v %v %v", again["title"], again["tag"], again["active"])
		}
	})
}

func TestDatedRateLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine, func(o *harnessOptions) { o.rateScale = 1 })
		detect := map[string]any{"tracking_number": "1Z999AA10123456784"}
		var last response
		for i := range 4 {
			last = h.dated("POST", "/couriers/detect", detect)
			if i < 3 {
				last.expectDated(t, 200, 200)
				if got := last.Header.Get("X-RateLimit-Remaining"); got != fmt.Sprint(2-i) {
					t.Errorf("detect %d: X-RateLimit-Remaining %q, want %d", i, got, 2-i)
				}
			}
		}
		last.expectDated(t, http.StatusTooManyRequests, 429)
		if last.Meta.Type != "TooManyRequests" || last.Header.Get("X-RateLimit-Limit") != "3" ||
			last.Header.Get("X-RateLimit-Remaining") != "0" || last.Header.Get("X-RateLimit-Reset") == "" {
			t.Errorf("429 meta %+v, headers %v", last.Meta, last.Header)
		}
		// Each endpoint has its own budget, and each key its own.
		couriers := h.dated("GET", "/couriers", nil).expectDated(t, 200, 200)
		if couriers.Header.Get("X-RateLimit-Limit") != "5" {
			t.Errorf("couriers X-RateLimit-Limit %q, want 5", couriers.Header.Get("X-RateLimit-Limit"))
		}
		h.do("POST", datedBase+"/couriers/detect", "as-api-key", h.otherKey(), detect).expectDated(t, 200, 200)

		for path, want := range map[string]string{"/trackings": "6", "/courier-connections": "5", "/trackings/none": "5"} {
			if got := h.dated("GET", path, nil).Header.Get("X-RateLimit-Limit"); got != want {
				t.Errorf("GET %s: X-RateLimit-Limit %q, want %s", path, got, want)
			}
		}
		if got := h.dated("POST", "/trackings", map[string]any{"slug": "ups", "tracking_number": "RATE0001"}).Header.Get("X-RateLimit-Limit"); got != "20" {
			t.Errorf("POST /trackings: X-RateLimit-Limit %q, want 20", got)
		}
		// GET by id: 5 a second, and its bucket is not PUT's.
		for i := range 6 {
			r := h.dated("GET", "/trackings/none", nil)
			if i == 5 && r.Status != http.StatusTooManyRequests {
				t.Errorf("6th GET by id in a second: HTTP %d", r.Status)
			}
		}
		h.dated("PUT", "/trackings/none", map[string]any{"title": "x"}).expectDated(t, 404, 4004)
	})
}
