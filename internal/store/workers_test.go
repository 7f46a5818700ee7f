package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestWorkersHandleSharesTransactions checks that the store and its
// ForWorkers handle join each other's transactions (the context carries
// them), whichever pool opened it.
func TestWorkersHandleSharesTransactions(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			workers := st.ForWorkers()
			if engine == store.Postgres && workers == st {
				t.Fatal("ForWorkers gave the store itself on PostgreSQL, want a handle with a pool of its own")
			}
			ctx := context.Background()
			for _, pair := range [][2]*store.Store{{st, workers}, {workers, st}} {
				err := pair[0].InTx(ctx, func(ctx context.Context, outer *store.Tx) error {
					return pair[1].InTx(ctx, func(_ context.Context, inner *store.Tx) error {
						if inner != outer {
							t.Error("the other handle's InTx opened a transaction of its own, want it to join the carried one")
						}
						return nil
					})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
