package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestEnqueueDeliveriesOfAFullReplay queues the jobs of the largest replay
// (10,000 deliveries) in one call and finds each of them queued once.
// CI's race-detector step runs with -short and skips it: one goroutine
// inserts, so the detector has nothing to find, and instrumented it took two
// minutes of that step's CPU; the README's test command runs it on both
// engines.
func TestEnqueueDeliveriesOfAFullReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 10,000 job inserts from one goroutine; go test without -short runs it")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, 10_000)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.EnqueueDeliveries(ctx, tx.SQL(), 1, ids, time.Now())
			}); err != nil {
				t.Fatal(err)
			}
			var jobs, distinct int
			if err := st.Writer().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT args) FROM river_job WHERE kind = 'deliver_webhook'`).Scan(&jobs, &distinct); err != nil {
				t.Fatal(err)
			}
			if jobs != len(ids) || distinct != len(ids) {
				t.Errorf("%d delivery jobs (%d distinct), want %d", jobs, distinct, len(ids))
			}
		})
	}
}
