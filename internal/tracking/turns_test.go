package tracking_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestConcurrentRecipientAddsTakeTurns adds ten recipients to one tracking
// at once: every one of them is kept. On PostgreSQL the race is forced:
// another transaction holds the tracking's row until all ten adds are
// waiting for it, so every add has started before any can write. Reading
// the tracking without the row lock, each add then wrote back its own
// stale copy and nine of the ten recipients were lost.
func TestConcurrentRecipientAddsTakeTurns(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			svc, st, org := newService(t, engine)
			tr, _, err := svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "1234567890", Slug: "dhl"})
			if err != nil {
				t.Fatal(err)
			}
			var holder *sql.Tx
			if engine == store.Postgres {
				if holder, err = st.Writer().BeginTx(ctx, nil); err != nil {
					t.Fatal(err)
				}
				defer holder.Rollback()
				if _, err := holder.ExecContext(ctx, `UPDATE trackings SET updated_at = updated_at WHERE public_id = $1`, tr.ID); err != nil {
					t.Fatal(err)
				}
			}
			const n = 10
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, errs[i] = svc.AddNotifications(ctx, org, tr.ID, tracking.Notifications{Emails: []string{fmt.Sprintf("r%d@example.com", i)}})
				})
			}
			if holder != nil {
				waitForLockWaiters(t, ctx, st, holder, n)
				if err := holder.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("add %d: %v", i, err)
				}
			}
			got, err := svc.Get(ctx, org, tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got.Emails)
			if len(got.Emails) != n {
				t.Errorf("after %d concurrent adds the tracking has %d emails %v, want all %d", n, len(got.Emails), got.Emails, n)
			}
		})
	}
}

// waitForLockWaiters waits until n transactions are blocked behind the
// trackings row holder has locked: the first waits on holder's transaction
// id, the others on the row's tuple lock.
func waitForLockWaiters(t *testing.T, ctx context.Context, st *store.Store, holder *sql.Tx, n int) {
	t.Helper()
	var xid string
	if err := holder.QueryRowContext(ctx, `SELECT pg_current_xact_id()::text`).Scan(&xid); err != nil {
		t.Fatal(err)
	}
	for {
		var waiting int
		err := st.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE NOT granted
			AND (relation = 'trackings'::regclass OR transactionid::text = $1)`, xid).Scan(&waiting)
		if err != nil {
			t.Fatalf("count lock waiters (%d wanted): %v", n, err)
		}
		if waiting >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
