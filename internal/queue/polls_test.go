package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestEnqueuePollBatch queues an import's polls in one batched insert: each
// distinct poll once, even when it repeats in the batch or was queued
// before, a due poll available at once and a later one scheduled, and
// nothing when the transaction rolls back. A poll queued by the batch
// is not queued again by EnqueuePoll, and the reverse.
func TestEnqueuePollBatch(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			q := idleQueue(t, st)
			past, later := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.EnqueuePoll(ctx, tx.SQL(), 1, "t0", past, queue.PriorityNew)
			}); err != nil {
				t.Fatal(err)
			}
			polls := []queue.Poll{{OrgID: 1, TrackingID: "t0", Due: past}} // queued above
			for i := range 1000 {
				polls = append(polls, queue.Poll{OrgID: 1, TrackingID: fmt.Sprintf("t%d", i+1), Due: past})
			}
			polls = append(polls, queue.Poll{OrgID: 1, TrackingID: "t1", Due: past}, // again in the batch
				queue.Poll{OrgID: 1, TrackingID: "later", Due: later})
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.EnqueuePollBatch(ctx, tx.SQL(), polls, queue.PriorityBulk)
			}); err != nil {
				t.Fatal(err)
			}
			// And the other way round: a poll the batch queued is not
			// queued again by EnqueuePoll.
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.EnqueuePoll(ctx, tx.SQL(), 1, "t5", past, queue.PriorityNew)
			}); err != nil {
				t.Fatal(err)
			}
			rolledBack := fmt.Errorf("roll back")
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				if err := q.EnqueuePollBatch(ctx, tx.SQL(), []queue.Poll{{OrgID: 1, TrackingID: "gone", Due: past}}, queue.PriorityBulk); err != nil {
					return err
				}
				return rolledBack
			}); err != rolledBack {
				t.Fatalf("rolled back batch: %v", err)
			}

			counts := pollStates(t, st)
			// t0 to t1000 available (t0 from the first insert), "later" scheduled.
			if counts["available"] != 1001 || counts["scheduled"] != 1 || len(counts) != 2 {
				t.Errorf("poll jobs by state = %v, want 1001 available and 1 scheduled", counts)
			}
		})
	}
}

// TestPollBatchIsWorked runs a poll queued by EnqueuePollBatch and finds
// the handler called with its organization, tracking and due time, to the
// microsecond: the row the batch writes is one River works.
func TestPollBatchIsWorked(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			due := time.Now().Add(-time.Second).Truncate(time.Microsecond)
			polled := make(chan string, 1)
			startWorking(t, st, queue.Handlers{PollTracking: func(_ context.Context, orgID int64, id string, due time.Time) error {
				polled <- fmt.Sprintf("org %d, tracking %q, due %d µs", orgID, id, due.UnixMicro())
				return nil
			}}, func(ctx context.Context, tx *store.Tx, q *queue.Queue) error {
				return q.EnqueuePollBatch(ctx, tx.SQL(), []queue.Poll{{OrgID: 7, TrackingID: `t"1`, Due: due}}, queue.PriorityNew)
			})
			if got, want := <-polled, fmt.Sprintf("org 7, tracking %q, due %d µs", `t"1`, due.UnixMicro()); got != want {
				t.Errorf("polled %s; want %s", got, want)
			}
		})
	}
}

// pollStates counts the poll jobs on st by state.
func pollStates(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	rows, err := st.Writer().QueryContext(context.Background(), `SELECT state, COUNT(*) FROM river_job WHERE kind = 'poll_tracking' GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			t.Fatal(err)
		}
		counts[state] = n
	}
	return counts
}
