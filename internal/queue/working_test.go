package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// startWorking makes a queue on st that works jobs with h, runs insert in a
// transaction (the jobs to work), then starts the queue; the queue stops
// when the test ends.
func startWorking(t *testing.T, st *store.Store, h queue.Handlers, insert func(ctx context.Context, tx *store.Tx, q *queue.Queue) error) {
	t.Helper()
	ctx := context.Background()
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Workers: 1, Work: true, PollInterval: 20 * time.Millisecond}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WithTx(ctx, func(tx *store.Tx) error { return insert(ctx, tx, q) }); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) }) // the handlers return at once
}

// idleQueue makes a queue on st that inserts jobs and works none.
func idleQueue(tb testing.TB, st *store.Store) *queue.Queue {
	tb.Helper()
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		tb.Fatal(err)
	}
	return q
}
