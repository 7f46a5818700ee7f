package aftership_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
