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
			st := testdb.Open(t, engine)
			type call struct {
				org   int64
				event string
			}
			got := make(chan call, 1)
			startWorking(t, st, queue.Handlers{
				LegacyReturnEmail: func(_ context.Context, orgID int64, eventID string) error {
					got <- call{orgID, eventID}
					return nil
				},
			}, func(ctx context.Context, tx *store.Tx, q *queue.Queue) error {
				return q.InsertLegacyReturnEmail(ctx, tx.SQL(), 7, 3, "ev-1")
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
