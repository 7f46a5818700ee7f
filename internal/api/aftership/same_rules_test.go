package aftership_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// datedName is the 2026-07 name of a field the core (and v4) names
// otherwise.
var datedName = map[string]string{
	"origin_country_iso3":      "origin_country_region",
	"destination_country_iso3": "destination_country_region",
}

// TestSameRulesBothGenerations sends the same field values to POST
// /v4/trackings and POST /tracking/2026-07/trackings over real HTTP, on both
// engines: each generation accepts or refuses a value alike, with the same
// meta code in its own envelope, because one rule set (package waybill)
// decides for both.
func TestSameRulesBothGenerations(t *testing.T) {
	customFields := map[string]string{}
	for i := range 101 {
		customFields[fmt.Sprint("k", i)] = "v"
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("a%d@example.com", i)
	}
	cases := []struct {
		name  string
		field string
		value any
		code  int // 201 when accepted
	}{
		{"delivery type", "delivery_type", "door_to_door", 201},
		{"delivery type cleared", "delivery_type", "", 201},
		{"unknown delivery type", "delivery_type", "teleport", 4008},
		{"direction forward", "shipment_direction", "forward", 201},
		{"direction return", "shipment_direction", "return", 201},
		{"unknown direction", "shipment_direction", "sideways", 4008},
		{"country alpha-3", "origin_country_iso3", "gbr", 201},
		{"country alpha-2", "destination_country_iso3", "GB", 201},
		{"country not in ISO 3166", "origin_country_iso3", "ZZZ", 4008},
		{"country name", "destination_country_iso3", "United Kingdom", 4008},
		{"order date with zone", "order_date", "2026-07-01T09:30:00+02:00", 201},
		{"order date only", "order_date", "2026-07-01", 201},
		{"order date not a day", "order_date", "2026-02-30T99:99:99Z", 4008},
		{"order date hour 99", "order_date", "2026-02-03T99:00:00Z", 4008},
		{"order date words", "order_date", "yesterday", 4008},
		{"promised date", "order_promised_delivery_date", "2026-07-09", 201},
		{"promised date zero", "order_promised_delivery_date", "0000-00-00", 4008},
		{"promised date year 1", "order_promised_delivery_date", "0001-01-01", 4008},
		{"title", "title", "Blue shoes", 201},
		{"title at the limit", "title", strings.Repeat("t", 512), 201},
		{"title over the limit", "title", strings.Repeat("t", 513), 4008},
		{"title with NUL", "title", "Blue\x00shoes", 4008},
		{"title with newline", "title", "Blue\nshoes", 4008},
		{"title with escape", "title", "Blue\x1b[31mshoes", 4008},
		{"title with C1 control", "title", "Blue\u0085shoes", 4008},
		{"order id with NUL", "order_id", "ORD\x00-1", 4008},
		{"order number with NUL", "order_number", "\x00", 4008},
		{"note with newline and tab", "note", "ring twice\n\tthen wait", 201},
		{"note with NUL", "note", "ring\x00twice", 4008},
		{"note over the limit", "note", strings.Repeat("n", 513), 4008},
		{"pickup note with NUL", "pickup_note", "\x00", 4008},
		{"pickup location with bell", "pickup_location", "Locker\a12", 4008},
		{"raw location with NUL", "destination_raw_location", "10 Downing St\x00", 4008},
		{"language", "language", "en", 201},
		{"language with space", "language", "e n", 4008},
		{"shipment type with NUL", "shipment_type", "express\x00", 4008},
		{"connection id with NUL", "courier_connection_id", "\x00", 4008},
		{"account number with NUL", "tracking_account_number", "ACC\x00", 4008},
		{"tracking key over the limit", "tracking_key", strings.Repeat("k", 513), 4008},
		{"emails", "emails", []string{"ann@example.com"}, 201},
		{"not an email", "emails", []string{"x"}, 4008},
		{"email with NUL", "emails", []string{"ann\x00@example.com"}, 4008},
		{"too many emails", "emails", eleven, 4008},
		{"not a phone", "smses", []string{"call me"}, 4008},
		{"custom fields", "custom_fields", map[string]string{"size": "42"}, 201},
		{"custom field with NUL", "custom_fields", map[string]string{"size": "4\x002"}, 4008},
		{"custom field key with NUL", "custom_fields", map[string]string{"si\x00ze": "42"}, 4008},
		{"too many custom fields", "custom_fields", customFields, 4008},
		{"number with NUL", "tracking_number", "1Z999\x00AA10123456784", 4005},
	}
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		for i, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				v4 := map[string]any{"slug": "ups", "tracking_number": fmt.Sprintf("SAMEV4%04d", i), tt.field: tt.value}
				dated := map[string]any{"slug": "ups", "tracking_number": fmt.Sprintf("SAMEDT%04d", i)}
				name := tt.field
				if n, ok := datedName[name]; ok {
					name = n
				}
				dated[name] = tt.value
				status := 400
				if tt.code == 201 {
					status = 201
				}
				h.v4("POST", "/trackings", map[string]any{"tracking": v4}).expect(t, status, tt.code)
				h.dated("POST", "/trackings", dated).expectDated(t, status, tt.code)
			})
		}
	})
}

// TestControlCharactersNeverFail sends a NUL (and other values PostgreSQL
// refuses) wherever a client can put a string that reaches a query: bodies,
// query parameters and paths, on both generations and both engines. Each is
// a refusal in the generation's envelope, or a plain not-found; never a 500.
func TestControlCharactersNeverFail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		created := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "NULTEST0001"}}).expect(t, 201, 201).tracking(t)
		id := created["id"].(string)
		nul := url.QueryEscape("\x00")

		for _, tt := range []struct {
			method, path string
			body         any
			status, code int
		}{
			{"GET", "/trackings?keyword=" + nul, nil, 400, 4008},
			{"GET", "/trackings?keyword=a" + nul + "b", nil, 400, 4008},
			{"GET", "/trackings?order_id=" + nul, nil, 400, 4008},
			{"GET", "/trackings?tracking_numbers=AB" + nul + "CD", nil, 400, 4008},
			{"GET", "/trackings?slug=ups" + nul, nil, 400, 4008},
			{"GET", "/trackings?origin=" + nul, nil, 400, 4008},
			{"GET", "/trackings/ups/AB%00CD", nil, 404, 4004},
			{"GET", "/trackings/ups%00/NULTEST0001", nil, 404, 4004},
			{"PUT", "/trackings/ups/AB%00CD", map[string]any{"tracking": map[string]any{"title": "x"}}, 404, 4004},
			{"GET", "/last_checkpoint/ups/AB%00CD", nil, 404, 4004},
			{"GET", "/notifications/ups/AB%00CD", nil, 404, 4004},
			{"PUT", "/trackings/" + id, map[string]any{"tracking": map[string]any{"title": "a\x00b"}}, 400, 4008},
			{"PUT", "/trackings/" + id, map[string]any{"tracking": map[string]any{"order_id": "\x00"}}, 400, 4008},
			{"PUT", "/trackings/" + id, map[string]any{"tracking": map[string]any{"slug": "ups\x00"}}, 400, 4010},
			{"POST", "/trackings/" + id + "/mark-as-completed", map[string]any{"reason": "LOST\x00"}, 400, 4008},
			{"POST", "/notifications/" + id + "/add", map[string]any{"notification": map[string]any{"emails": []string{"a\x00@example.com"}}}, 400, 4008},
			{"POST", "/couriers/detect", map[string]any{"tracking": map[string]any{"tracking_number": "AB\x00CD"}}, 400, 4005},
			{"POST", "/trackings", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784", "slug": []string{"ups\x00"}}}, 400, 4010},
			{"POST", "/trackings", map[string]any{"tracking": map[string]any{"tracking_number": "1Z999AA10123456784", "slug_group": "\x00"}}, 400, 4008},
		} {
			t.Run("v4 "+tt.method+" "+tt.path, func(t *testing.T) {
				h.v4(tt.method, tt.path, tt.body).expect(t, tt.status, tt.code)
			})
		}

		datedID := h.createDated(t, map[string]any{"slug": "ups", "tracking_number": "NULTEST0002"})["id"].(string)
		for _, tt := range []struct {
			method, path string
			body         any
			status, code int
		}{
			{"GET", "/trackings?keyword=" + nul, nil, 400, 4008},
			{"GET", "/trackings?order_id=" + nul, nil, 400, 4008},
			{"GET", "/trackings?tracking_numbers=" + nul, nil, 400, 4008},
			{"GET", "/trackings?courier_destination_country_region=" + nul, nil, 400, 4008},
			{"GET", "/trackings/" + "ab%00cd", nil, 404, 4004},
			{"PUT", "/trackings/" + datedID, map[string]any{"title": "a\x00b"}, 400, 4008},
			{"PUT", "/trackings/" + datedID, map[string]any{"customers": []map[string]any{{"name": "\x00"}}}, 400, 4008},
			{"POST", "/trackings/" + datedID + "/mark-as-completed", map[string]any{"reason": "\x00"}, 400, 4008},
			{"GET", "/courier-connections/ab%00cd", nil, 404, 4004},
			{"GET", "/courier-connections?courier_slug=" + nul, nil, 400, 4008},
			{"DELETE", "/courier-connections/ab%00cd", nil, 404, 4004},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "ups", "credentials": map[string]any{"key": "a\x00b"}}, 400, 4008},
			{"POST", "/couriers/detect", map[string]any{"tracking_number": "AB\x00CD"}, 400, 4005},
		} {
			t.Run("dated "+tt.method+" "+tt.path, func(t *testing.T) {
				h.dated(tt.method, tt.path, tt.body).expectDated(t, tt.status, tt.code)
			})
		}
	})
}
