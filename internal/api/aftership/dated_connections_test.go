package aftership_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill/internal/carrier"
)

func TestDatedConnections(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		const apiKey = "sk_live_0123456789abcd"
		res := h.dated("POST", "/courier-connections", map[string]any{"courier_slug": "dhl",
			"credentials": map[string]any{"api_key": apiKey}}).expectDated(t, 201, 201)
		created := res.Data
		id, _ := created["id"].(string)
		if id == "" || created["courier_slug"] != "dhl" || created["created_at"] == nil || created["updated_at"] == nil {
			t.Fatalf("created connection: %s", res.Raw)
		}
		wantCreds := map[string]any{"api_key": "********"}
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
		noSecrets(res, apiKey, "abcd")

		got := h.dated("GET", "/courier-connections/"+id, nil).expectDated(t, 200, 200)
		noSecrets(got, apiKey, "abcd")
		if diff := cmp.Diff(created, got.Data); diff != "" {
			t.Errorf("get differs from create (-create +get):\n%s", diff)
		}

		const newKey = "sk_live_ffffffffffff9876"
		upd := h.dated("PATCH", "/courier-connections/"+id, map[string]any{"credentials": map[string]any{"api_key": newKey}}).expectDated(t, 200, 200)
		noSecrets(upd, newKey, "9876")
		if diff := cmp.Diff(map[string]any{"api_key": "********"}, upd.Data["credentials"]); diff != "" {
			t.Errorf("updated credentials mismatch (-want +got):\n%s", diff)
		}

		// Pages by cursor, newest first; courier_slug filters.
		for _, c := range []map[string]any{
			{"courier_slug": "ups", "credentials": map[string]any{"client_id": "id-1", "client_secret": "s3cret-1", "account_number": "A1B2C3"}},
			{"courier_slug": "royal-mail", "credentials": map[string]any{"k": "v"}},
			{"courier_slug": "ups", "credentials": map[string]any{"client_id": "id-2", "client_secret": "s3cret-2"}},
		} {
			noSecrets(h.dated("POST", "/courier-connections", c).expectDated(t, 201, 201), "s3cret", "A1B2C3", "id-1", "id-2")
		}
		seen := map[string]bool{}
		cursor := ""
		for range 3 {
			path := "/courier-connections?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			page := h.dated("GET", path, nil).expectDated(t, 200, 200)
			noSecrets(page, newKey, "s3cret", "A1B2C3")
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
		} else if diff := cmp.Diff(map[string]any{"account_number": "********", "client_id": "********", "client_secret": "********"},
			ups.Data["courier_connections"].([]any)[1].(map[string]any)["credentials"]); diff != "" {
			t.Errorf("listed UPS credentials (-want +got):\n%s", diff)
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
			// The keys each polled carrier takes: all required, no others.
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl", "credentials": map[string]any{"k": "v"}}, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "dhl", "credentials": map[string]any{"api_key": "k", "password": "p"}}, 400, 4008},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "ups", "credentials": map[string]any{"client_id": "i"}}, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "fedex", "credentials": map[string]any{"client_id": "i", "client_secret": " "}}, 400, 4009},
			{"POST", "/courier-connections", map[string]any{"courier_slug": "usps", "credentials": map[string]any{"client_id": "i", "client_secret": "s", "account_number": "1"}}, 400, 4008},
			{"PATCH", "/courier-connections/" + id, map[string]any{"credentials": map[string]any{"client_id": "i", "client_secret": "s"}}, 400, 4009},
			{"PATCH", "/courier-connections/" + id, map[string]any{}, 400, 4009},
			{"PATCH", "/courier-connections/" + id, `{"credentials": {`, 400, 4001},
			{"PATCH", "/courier-connections/nope", map[string]any{"credentials": map[string]any{"api_key": "v"}}, 404, 4004},
		} {
			h.dated(tt.method, tt.path, tt.body).expectDated(t, tt.status, tt.code)
		}
		if total := h.dated("GET", "/courier-connections", nil).expectDated(t, 200, 200).Data["pagination"].(map[string]any)["total"]; total != float64(4) {
			t.Errorf("refusals changed the connections: total %v", total)
		}

		// Another organization sees none of them.
		other := h.otherKey()
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			h.do(method, datedBase+"/courier-connections/"+id, "as-api-key", other, map[string]any{"credentials": map[string]any{"api_key": "v"}}).expectDated(t, 404, 4004)
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

// checkingCarrier is a connector whose carrier accepts one secret,
// refuses others with a reason, and can be down.
type checkingCarrier struct {
	good string
	down bool
}

func (c checkingCarrier) Fetch(context.Context, carrier.FetchRequest) (carrier.FetchResult, error) {
	return carrier.FetchResult{}, carrier.ErrNotFound
}

func (c checkingCarrier) CheckCredentials(_ context.Context, creds map[string]string) error {
	switch {
	case c.down:
		return errors.New("dial tcp: connection refused")
	case creds["client_secret"] != c.good:
		return &carrier.CredentialError{Reason: "10401 ClientId is Invalid"}
	}
	return nil
}

// TestDatedConnectionCarrierCheck: credentials are checked with the
// carrier once, on create and update; its refusal is a 400 with its
// reason, an unreachable carrier a 503, and neither stores anything.
func TestDatedConnectionCarrierCheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		reg := carrier.NewRegistry()
		reg.Register("ups", checkingCarrier{good: "right-secret"})
		reg.Register("fedex", checkingCarrier{down: true})
		h := newHarness(t, engine, func(o *harnessOptions) { o.carriers = reg })
		ups := func(secret string) map[string]any {
			return map[string]any{"courier_slug": "ups", "credentials": map[string]any{"client_id": "cid", "client_secret": secret}}
		}
		res := h.dated("POST", "/courier-connections", ups("wrong-secret")).expectDated(t, 400, 4008)
		if !strings.Contains(res.Meta.Message, "ClientId is Invalid") || strings.Contains(string(res.Raw), "wrong-secret") {
			t.Errorf("refusal: %s", res.Raw)
		}
		h.dated("POST", "/courier-connections", map[string]any{"courier_slug": "fedex",
			"credentials": map[string]any{"client_id": "cid", "client_secret": "any"}}).expectDated(t, 503, 503)
		if total := h.dated("GET", "/courier-connections", nil).expectDated(t, 200, 200).Data["pagination"].(map[string]any)["total"]; total != float64(0) {
			t.Fatalf("refused credentials were stored: total %v", total)
		}
		id := h.dated("POST", "/courier-connections", ups("right-secret")).expectDated(t, 201, 201).Data["id"].(string)
		h.dated("PATCH", "/courier-connections/"+id, map[string]any{"credentials": ups("wrong-secret")["credentials"]}).expectDated(t, 400, 4008)
		h.dated("PATCH", "/courier-connections/"+id, map[string]any{"credentials": ups("right-secret")["credentials"]}).expectDated(t, 200, 200)
	})
}

// TestDatedConnectionWithoutSecretKey: a Waybill without
// WAYBILL_SECRET_KEY refuses to store credentials with a clear 400, not a
// 500, and still lists (no) connections.
func TestDatedConnectionWithoutSecretKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine, func(o *harnessOptions) { o.noSecretKey = true })
		res := h.dated("POST", "/courier-connections", map[string]any{"courier_slug": "dhl",
			"credentials": map[string]any{"api_key": "k"}}).expectDated(t, 400, 400)
		if !strings.Contains(res.Meta.Message, "WAYBILL_SECRET_KEY") {
			t.Errorf("message does not name the missing setting: %s", res.Raw)
		}
		h.dated("GET", "/courier-connections", nil).expectDated(t, 200, 200)
	})
}
