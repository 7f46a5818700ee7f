package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPromoteDue checks the promotion a scaled-down poll cadence runs
// (Options.PromoteEvery): a poll scheduled for later stays scheduled until
// it is due, then becomes available, and one due later stays scheduled.
func TestPromoteDue(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			q := idleQueue(t, st)
			soon, later := time.Now().Add(time.Second), time.Now().Add(time.Hour)
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				if err := q.EnqueuePoll(ctx, tx.SQL(), 1, "soon", soon, queue.PriorityNew); err != nil {
					return err
				}
				return q.EnqueuePoll(ctx, tx.SQL(), 1, "later", later, queue.PriorityNew)
			}); err != nil {
				t.Fatal(err)
			}
			states := func() map[string]int {
				rows, err := st.Writer().QueryContext(ctx, `SELECT state, COUNT(*) FROM river_job WHERE kind = 'poll_tracking' GROUP BY state`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				got := map[string]int{}
				for rows.Next() {
					var s string
					var n int
					if err := rows.Scan(&s, &n); err != nil {
						t.Fatal(err)
					}
					got[s] = n
				}
				return got
			}
			if err := q.PromoteDue(ctx); err != nil {
				t.Fatal(err)
			}
			// (A machine that stalled past soon proves the first half nothing.)
			if got := states(); time.Now().Before(soon) && got["scheduled"] != 2 {
				t.Fatalf("before either is due: %v, want both scheduled", got)
			}
			time.Sleep(time.Until(soon) + 50*time.Millisecond)
			if err := q.PromoteDue(ctx); err != nil {
				t.Fatal(err)
			}
			if got := states(); got["scheduled"] != 1 || got["available"] != 1 {
				t.Fatalf("after the first is due: %v, want one available, one scheduled", got)
			}
		})
	}
}
