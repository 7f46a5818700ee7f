package aftership_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/tenant"
)

// TestV4GetByIDWithRememberedKey covers GET /v4/trackings/{id} for a key
// the server remembers, which reads the tracking and the key generation
// in one statement instead of reading the generation first: the same
// answer as before; another organization's remembered key still finds
// nothing; and a key revoked elsewhere (another instance, the CLI: its
// generation moves on, this server's memory does not) is refused at once.
func TestV4GetByIDWithRememberedKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := context.Background()
		tr := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "CLAIM001", "customer_name": "Ann Secret"}}).expect(t, 201, 201).tracking(t)
		id := tr["id"].(string)

		first := h.do("GET", "/v4/trackings/"+id, "", h.Key, nil).expect(t, 200, 200)
		if _, _, ok := h.Tenants.CachedKey(h.Key); !ok {
			t.Fatal("the key is not remembered after it authenticated")
		}
		second := h.do("GET", "/v4/trackings/"+id, "", h.Key, nil).expect(t, 200, 200)
		if !bytes.Equal(first.Raw, second.Raw) {
			t.Errorf("a remembered key's get differs:\n%s\nwant\n%s", second.Raw, first.Raw)
		}
		h.do("GET", "/v4/trackings/ZZZZZZZZZZZZZZZZZZZZZZZZ", "", h.Key, nil).expect(t, 404, 4004)

		other := h.otherKey()
		for range 2 { // the second time from memory
			r := h.do("GET", "/v4/trackings/"+id, "", other, nil).expect(t, 404, 4004)
			if strings.Contains(string(r.Raw), "Ann Secret") {
				t.Errorf("another organization's remembered key reads the tracking: %s", r.Raw)
			}
		}

		elsewhere := &tenant.Service{Store: h.Core.Store}
		keys, err := elsewhere.Keys(ctx, "acme")
		if err != nil || len(keys) != 1 {
			t.Fatalf("keys of acme: %v, %v", keys, err)
		}
		if _, err := elsewhere.RevokeKey(ctx, "acme", keys[0].Prefix); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := h.Tenants.CachedKey(h.Key); !ok {
			t.Fatal("the revocation elsewhere emptied this server's memory: the test would not reach the one-statement read")
		}
		h.do("GET", "/v4/trackings/"+id, "", h.Key, nil).expect(t, 401, 401)
	})
}

// TestV4CreateWithRememberedKey covers POST /v4/trackings for a key the
// server remembers, which confirms the key generation in the create's own
// transaction instead of reading it first: the create is the same, for
// the key's own organization; a generation moved by another key's
// revocation still creates (the key authenticates again); and a key
// revoked elsewhere is refused at once with 401, whatever its body, and
// creates nothing.
func TestV4CreateWithRememberedKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := context.Background()
		create := func(key, number string) response {
			return h.do("POST", "/v4/trackings", "", key, map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": number}})
		}
		create(h.Key, "1Z0000000000000001").expect(t, 201, 201)
		if _, _, ok := h.Tenants.CachedKey(h.Key); !ok {
			t.Fatal("the key is not remembered after it authenticated")
		}
		id := create(h.Key, "1Z0000000000000002").expect(t, 201, 201).tracking(t)["id"].(string)
		h.do("GET", "/v4/trackings/"+id, "", h.Key, nil).expect(t, 200, 200)
		create(h.Key, "1Z0000000000000002").expect(t, 400, 4003) // already exists, from memory too

		other := h.otherKey()
		create(other, "1Z0000000000000003").expect(t, 201, 201)
		otherID := create(other, "1Z0000000000000004").expect(t, 201, 201).tracking(t)["id"].(string)
		h.do("GET", "/v4/trackings/"+otherID, "", h.Key, nil).expect(t, 404, 4004)

		elsewhere := &tenant.Service{Store: h.Core.Store}
		revoke := func(org string) {
			keys, err := elsewhere.Keys(ctx, org)
			if err != nil || len(keys) != 1 {
				t.Fatalf("keys of %s: %v, %v", org, keys, err)
			}
			if _, err := elsewhere.RevokeKey(ctx, org, keys[0].Prefix); err != nil {
				t.Fatal(err)
			}
		}
		revoke("other")
		create(h.Key, "1Z0000000000000005").expect(t, 201, 201)

		revoke("acme")
		if _, _, ok := h.Tenants.CachedKey(h.Key); !ok {
			t.Fatal("the revocation elsewhere emptied this server's memory: the test would not reach the create that confirms it")
		}
		create(h.Key, "1Z0000000000000006").expect(t, 401, 401)
		h.do("POST", "/v4/trackings", "", h.Key, map[string]any{"tracking": map[string]any{"slug": "ups"}}).expect(t, 401, 401)
		acme, err := elsewhere.Org(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Core.Store.Read().TrackingByNumber(ctx, acme.ID, "ups", "1Z0000000000000006"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("the revoked key's create left a tracking (%v)", err)
		}
	})
}
