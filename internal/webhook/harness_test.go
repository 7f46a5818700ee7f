package webhook_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// onEngines runs test on a fresh database of every engine testdb offers
// (SQLite always, PostgreSQL when WAYBILL_TEST_POSTGRES_URL is set).
func onEngines(t *testing.T, test func(t *testing.T, h *harness)) {
	t.Helper()
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			test(t, newHarness(t, engine))
		})
	}
}

// harness is a webhook service on a real database, with a clock the test
// moves and a queue that records the jobs it is given.
type harness struct {
	st    *store.Store
	svc   *webhook.Service
	queue *recordingQueue
	org   waybill.Organization
	mu    sync.Mutex
	now   time.Time
}

func newHarness(t *testing.T, engine string) *harness {
	t.Helper()
	st := testdb.Open(t, engine)
	h := &harness{st: st, queue: &recordingQueue{}, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	h.svc = &webhook.Service{Store: st, Queue: h.queue, Now: h.clock}
	org, err := st.Write().CreateOrg(context.Background(), "acme", h.now)
	if err != nil {
		t.Fatal(err)
	}
	h.org = org
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// recordingQueue is a DeliveryQueue that keeps the delivery ids it is
// asked to schedule.
type recordingQueue struct {
	mu         sync.Mutex
	deliveries []int64
}

func (q *recordingQueue) EnqueueDelivery(_ context.Context, _ *sql.Tx, _, deliveryID int64, _ int, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deliveries = append(q.deliveries, deliveryID)
	return nil
}

func ptr[T any](v T) *T { return &v }
