package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPollBatchIsWorked runs a poll queued by EnqueuePollBatch and finds
// the handler called with its organization, tracking and due time, to the
// microsecond: the row the batch writes is one River works.
func TestPollBatchIsWorked(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			type polled struct {
				org int64
				id  string
				due time.Time
			}
			got := make(chan polled, 1)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Workers: 1, Work: true, PollInterval: 20 * time.Millisecond},
				queue.Handlers{PollTracking: func(ctx context.Context, orgID int64, id string, due time.Time) error {
					got <- polled{orgID, id, due}
					return nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			due := time.Now().Add(-time.Second).Truncate(time.Microsecond)
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.EnqueuePollBatch(ctx, tx.SQL(), []queue.Poll{{OrgID: 7, TrackingID: `t"1`, Due: due}}, queue.PriorityNew)
			}); err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer q.Stop(ctx) //nolint:errcheck // the test is over
			p := <-got
			if p.org != 7 || p.id != `t"1` || !p.due.Equal(due) {
				t.Errorf("polled org %d, tracking %q, due %v; want 7, %q, %v", p.org, p.id, p.due, `t"1`, due)
			}
		})
	}
}
