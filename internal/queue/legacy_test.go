package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestLegacyReturnEmailJobIsWorked queues a send_return_email job as a
// release before return emails became notifications did, and checks that
// today's workers still hand it, with its organization and event, to
// LegacyReturnEmail: an upgrade drops none of them.
func TestLegacyReturnEmailJobIsWorked(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			type call struct {
				org   int64
				event string
			}
			got := make(chan call, 1)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Work: true, PollInterval: 20 * time.Millisecond}, queue.Handlers{
				LegacyReturnEmail: func(_ context.Context, orgID int64, eventID string) error {
					got <- call{orgID, eventID}
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				return q.InsertLegacyReturnEmail(ctx, tx.SQL(), 7, 3, "ev-1")
			}); err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = q.Stop(ctx)
			})
			select {
			case c := <-got:
				if c != (call{7, "ev-1"}) {
					t.Fatalf("worked %+v, want org 7 event ev-1", c)
				}
			case <-time.After(time.Minute):
				t.Fatal("the send_return_email job was not worked within a minute")
			}
		})
	}
}
