package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestInTx checks the transaction-ownership rule on every engine: a
// nested InTx joins the transaction its context carries, the outermost
// call alone commits or rolls back, and a context that outlived its
// transaction is refused.
func TestInTx(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			for name, test := range map[string]func(t *testing.T, st *store.Store){
				"JoinCommitsOnce":     testInTxJoinCommitsOnce,
				"OwnerRollsBackJoin":  testInTxOwnerRollsBackJoin,
				"JoinErrorGoesUp":     testInTxJoinErrorGoesUp,
				"EndedTxIsRefused":    testInTxEndedTxIsRefused,
				"ReadInSeesOwnWrites": testInTxReadIn,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					test(t, testdb.Open(t, engine))
				})
			}
		})
	}
}

// withDeadline fails the test instead of hanging when a nested call
// waits for a second transaction (on SQLite the writer has one
// connection, so opening a second transaction inside the first would
// never return).
func withDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testInTxJoinCommitsOnce(t *testing.T, st *store.Store) {
	ctx := withDeadline(t)
	org := mustOrg(t, st, "acme")
	var outer, inner *store.Tx
	err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		outer = tx
		if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "OUTER1")); err != nil {
			return err
		}
		return st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			inner = tx
			// The joined call sees the owner's uncommitted write.
			if _, err := tx.TrackingByNumber(ctx, org.ID, "ups", "OUTER1"); err != nil {
				return err
			}
			return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "INNER1"))
		})
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if outer != inner {
		t.Error("the nested InTx opened a transaction of its own instead of joining")
	}
	for _, n := range []string{"OUTER1", "INNER1"} {
		if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", n); err != nil {
			t.Errorf("%s after commit: %v", n, err)
		}
	}
}

func testInTxOwnerRollsBackJoin(t *testing.T, st *store.Store) {
	ctx := withDeadline(t)
	org := mustOrg(t, st, "acme")
	boom := errors.New("boom")
	err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// The joined call succeeds, but its owner fails afterwards: the
		// joined write must not survive.
		if err := st.WithTx(ctx, func(tx *store.Tx) error {
			return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "JOINED1"))
		}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "JOINED1"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("a joined write outlived its owner's rollback: %v", err)
	}
}

func testInTxJoinErrorGoesUp(t *testing.T, st *store.Store) {
	ctx := withDeadline(t)
	org := mustOrg(t, st, "acme")
	boom := errors.New("boom")
	var fromJoin error
	err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "OWNER1")); err != nil {
			return err
		}
		fromJoin = st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return boom })
		// The owner decides: here it carries on and commits.
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if !errors.Is(fromJoin, boom) {
		t.Errorf("joined InTx = %v, want boom handed back to the owner", fromJoin)
	}
	if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "OWNER1"); err != nil {
		t.Errorf("the owner's commit was lost: %v", err)
	}
}

func testInTxEndedTxIsRefused(t *testing.T, st *store.Store) {
	ctx := withDeadline(t)
	org := mustOrg(t, st, "acme")
	var leaked context.Context
	if err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		leaked = ctx
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	called := false
	err := st.InTx(leaked, func(ctx context.Context, tx *store.Tx) error {
		called = true
		return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "LATE1"))
	})
	if err == nil || called {
		t.Errorf("InTx with an ended transaction = %v (fn called: %v), want an error and no call", err, called)
	}
	// Reads fall back to the read pool.
	if _, err := st.ReadIn(leaked).TrackingByNumber(ctx, org.ID, "ups", "LATE1"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("ReadIn after the transaction ended: %v, want ENOTFOUND", err)
	}
}

func testInTxReadIn(t *testing.T, st *store.Store) {
	ctx := withDeadline(t)
	org := mustOrg(t, st, "acme")
	if _, err := st.ReadIn(ctx).OrgByID(ctx, org.ID); err != nil {
		t.Fatalf("ReadIn without a transaction: %v", err)
	}
	err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "UNCOMMITTED1")); err != nil {
			return err
		}
		_, err := st.ReadIn(ctx).TrackingByNumber(ctx, org.ID, "ups", "UNCOMMITTED1")
		return err
	})
	if err != nil {
		t.Errorf("ReadIn inside the transaction does not see its write: %v", err)
	}
	// A context of another store's transaction is not joined.
	other := testdb.Open(t, store.SQLite)
	err = st.InTx(ctx, func(ctx context.Context, _ *store.Tx) error {
		return other.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.CreateOrg(ctx, "elsewhere", now)
			return err
		})
	})
	if err != nil {
		t.Errorf("nested InTx of another store: %v", err)
	}
	if _, err := other.Read().OrgByName(ctx, "elsewhere"); err != nil {
		t.Errorf("another store's transaction did not commit on its own: %v", err)
	}
}
