package aftership_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDatedConnections(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		const apiKey, password = "sk_live_0123456789abcd", "hunter2"
		res := h.dated("POST", "/courier-connections", map[string]any{"courier_slug": "dhl",
			"credentials": map[string]any{"api_key": apiKey, "password": password, "account": 12345678}}).expectDated(t, 201, 201)
		created := res.Data
		id, _ := created["id"].(string)
		if id == "" || created["courier_slug"] != "dhl" || created["created_at"] == nil || created["updated_at"] == nil {
			t.Fatalf("created connection: %s", res.Raw)
		}
		wantCreds := map[string]any{"api_key": "******************abcd", "password": "*******", "account": "********"}
		if diff := cmp.Diff(wantCreds, created["credentials"]); diff != "" {
			t.Errorf("masked credentials mismatch (-want +got):\n%s", diff)
		}
		noSecrets := func(r response, secrets ...string) {
			t.Helper()
			for _, s := range secrets {
				if strings.Contains(string(r.Raw), s) {
					t.Errorf("response shows the secret %q: %s", s, r.Raw)
				}
			}
		}
		noSecrets(res, apiKey, password, "12345678")

		got := h.dated("GET", "/courier-connections/"+id, nil).expectDated(t, 200, 200)
		noSecrets(got, apiKey, password)
		if diff := cmp.Diff(created, got.Data); diff != "" {
			t.Errorf("get differs from create (-create +get):\n%s", diff)
		}

		const newKey = "sk_live_ffffffffffff9876"
		upd := h.dated("PATCH", "/courier-connections/"+id, map[string]any{"credentials": map[string]any{"api_key": newKey}}).expectDated(t, 200, 200)
		noSecrets(upd, newKey)
		if diff := cmp.Diff(map[string]any{"api_key": "********************9876"}, upd.Data["credentials"]); diff != "" {
			t.Errorf("updated credentials mismatch (-want +got):\n%s", diff)
		}

		// Pages by cursor, newest first; courier_slug filters.
		for _, slug := range []string{"ups", "fedex", "ups"} {
			h.dated("POST", "/courier-connections", map[string]any{"courier_slug": slug, "credentials": map[string]any{"k": "v"}}).expectDated(t, 201, 201)
		}
		seen := map[string]bool{}
		cursor := ""
		for range 3 {
			path := "/courier-connections?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			page := h.dated("GET", path, nil).expectDated(t, 200, 200)
			noSecrets(page, newKey)
			for _, c := range page.Data["courier_connections"].([]any) {
				cid := c.(map[string]any)["id"].(string)
				if seen[cid] {
					t.Errorf("connection %s listed twice", cid)
				}
				seen[cid] = true
			}
			pg := page.Data["pagination"].(map[string]any)
			if pg["total"] != float64(4) {
				t.Errorf("pagination total %v, want 4", pg["total"])
			}
			if pg["has_next_page"] == false {
				break
			}
			cursor = pg["next_cursor"].(string)
		}
		if len(seen) != 4 || !seen[id] {
			t.Errorf("cursor pages listed %d connections, want 4 (with %s)", len(seen), id)
		}
		ups := h.dated("GET", "/courier-connections?courier_slug=ups", nil).expectDated(t, 200, 200)
		if n := len(ups.Data["courier_connections"].([]any)); n != 2 {
			t.Errorf("courier_slug=ups: %d connections", n)
		}
		h.dated("GET", "/courier-connections?cursor=bogus", nil).expectDated(t, 400, 4008)
		h.dated("GET", "/courier-connections?limit=1000", nil).expectDated(t, 400, 4008)

		// Refusals change nothing.
		for _, tt := range []struct {
			method, path string
			body         any
			status, code int
		}{
			{"POST", "/courier-connections", `{"courier_slug": `, 400, 4001},
			{"POST", "/courier-connections", ``, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"credentials": map[string]any{"k": "v"}}, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl"}, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "pigeon-post", "credentials": map[string]any{"k": "v"}}, 400, 4010},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl", "credentials": "secret"}, 400, 4008},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl", "credentials": map[string]any{"k": []int{1}}}, 400, 4008},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl", "credentials": map[string]any{}}, 400, 4009},
			{"PATCH", "/courier-connections/" + id, map[string]any{}, 400, 4009},
			{"PATCH", "/courier-connections/" + id, `{"credentials": {`, 400, 4001},
			{"PATCH", "/courier-connections/nope", map[string]any{"credentials": map[string]any{"k": "v"}}, 404, 4004},
		} {
			h.dated(tt.method, tt.path, tt.body).expectDated(t, tt.status, tt.code)
		}
		if total := h.dated("GET", "/courier-connections", nil).expectDated(t, 200, 200).Data["pagination"].(map[string]any)["total"]; total != float64(4) {
			t.Errorf("refusals changed the connections: total %v", total)
		}

		// Another organization sees none of them.
		other := h.otherKey()
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			h.do(method, datedBase+"/courier-connections/"+id, "as-api-key", other, map[string]any{"credentials": map[string]any{"k": "v"}}).expectDated(t, 404, 4004)
		}
		if n := len(h.do("GET", datedBase+"/courier-connections", "as-api-key", other, nil).expectDated(t, 200, 200).Data["courier_connections"].([]any)); n != 0 {
			t.Errorf("other organization lists %d connections", n)
		}

		del := h.dated("DELETE", "/courier-connections/"+id, nil).expectDated(t, 200, 200)
		noSecrets(del, newKey)
		if del.Data["id"] != id {
			t.Errorf("delete returned %v", del.Data["id"])
		}
		h.dated("GET", "/courier-connections/"+id, nil).expectDated(t, 404, 4004)
		h.dated("DELETE", "/courier-connections/"+id, nil).expectDated(t, 404, 4004)
	})
}
