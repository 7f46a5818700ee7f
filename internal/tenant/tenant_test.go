package tenant_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestAuthenticateAfterRevocation runs two instances (two stores on one
// database), each of which has just authenticated, and so cached, a key:
// revoked through one of them, or by hand in SQL, the key is refused by
// both at their next call, and the organization's other key still works.
func TestAuthenticateAfterRevocation(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testdb.URL(t, engine)
			var instances []*tenant.Service
			for range 2 {
				st, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				instances = append(instances, &tenant.Service{Store: st})
			}
			if err := instances[0].Store.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			org, first, err := instances[0].CreateOrg(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			second, err := instances[0].CreateKey(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			third, err := instances[0].CreateKey(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			authenticates := func(key string) {
				t.Helper()
				for i, ts := range instances {
					for range 2 { // the second answer comes from the cache
						if got, err := ts.Authenticate(ctx, key); err != nil || got.ID != org.ID {
							t.Fatalf("instance %d: Authenticate = %v, %v; want acme", i, got, err)
						}
					}
				}
			}
			refused := func(key, how string) {
				t.Helper()
				for i, ts := range instances {
					if _, err := ts.Authenticate(ctx, key); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
						t.Errorf("instance %d accepts a key %s: %v", i, how, err)
					}
				}
			}
			authenticates(first)
			authenticates(second)
			authenticates(third)

			if _, err := instances[1].RevokeKey(ctx, "acme", store.KeyPrefix(first)); err != nil {
				t.Fatal(err)
			}
			refused(first, "revoked on instance 1")
			authenticates(second)

			if _, err := instances[0].Store.Writer().ExecContext(ctx, `DELETE FROM api_keys WHERE prefix = $1`, store.KeyPrefix(second)); err != nil {
				t.Fatal(err)
			}
			refused(second, "deleted by hand")
			authenticates(third)
		})
	}
}
