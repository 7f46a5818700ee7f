package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestAfterCommit: what a transaction registers with AfterCommit runs once
// it commits, and not when it rolls back, nor when the group-committed
// function (savepoint) that registered it failed while the others of its
// transaction committed.
func TestAfterCommit(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			var mu sync.Mutex
			ran := map[string]bool{}
			mark := func(tx *store.Tx, name string) {
				tx.AfterCommit(func() { mu.Lock(); ran[name] = true; mu.Unlock() })
			}
			fail := errors.New("fail")
			if err := st.InTx(ctx, func(_ context.Context, tx *store.Tx) error { mark(tx, "committed"); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := st.InTx(ctx, func(_ context.Context, tx *store.Tx) error { mark(tx, "rolled back"); return fail }); !errors.Is(err, fail) {
				t.Fatal(err)
			}
			g := store.NewGroupCommitter(st)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { g.Run(runCtx); close(done) }()
			defer func() { stop(); <-done }()
			var wg sync.WaitGroup
			for _, name := range []string{"group ok", "group failed"} {
				wg.Go(func() {
					err := g.InTx(ctx, func(_ context.Context, tx *store.Tx) error {
						mark(tx, name)
						if name == "group failed" {
							return fail
						}
						return nil
					})
					if (err != nil) != (name == "group failed") {
						t.Errorf("%s: %v", name, err)
					}
				})
			}
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			want := map[string]bool{"committed": true, "group ok": true}
			for _, name := range []string{"committed", "rolled back", "group ok", "group failed"} {
				if ran[name] != want[name] {
					t.Errorf("%s: after-commit ran %v, want %v", name, ran[name], want[name])
				}
			}
		})
	}
}
