package webhook_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
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

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
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

func (q *recordingQueue) EnqueueDeliveries(_ context.Context, _ *sql.Tx, _ int64, deliveryIDs []int64, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deliveries = append(q.deliveries, deliveryIDs...)
	return nil
}

// take returns and forgets the deliveries scheduled so far.
func (q *recordingQueue) take() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.deliveries
	q.deliveries = nil
	return out
}

// fixedPayload renders every event as the same body.
type fixedPayload []byte

func (p fixedPayload) WebhookPayload(waybill.Event, string) ([]byte, error) { return p, nil }

// receiver is a loopback webhook receiver that keeps what it was sent.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	status   int
	requests []received
}

type received struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, status int) *receiver {
	t.Helper()
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := make([]byte, 0, 512)
		buf := make([]byte, 512)
		for {
			n, err := req.Body.Read(buf)
			body = append(body, buf[:n]...)
			if err != nil {
				break
			}
		}
		r.mu.Lock()
		r.requests = append(r.requests, received{req.URL.Path, req.Header.Clone(), body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) last(t *testing.T) received {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.requests) == 0 {
		t.Fatal("the receiver got no request")
	}
	return r.requests[len(r.requests)-1]
}

// deliverer makes real attempts to loopback receivers.
func (h *harness) deliverer(body []byte) *webhook.Deliverer {
	return &webhook.Deliverer{Service: h.svc, Client: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true}),
		Renderer: fixedPayload(body), Snooze: func(time.Duration) error { return nil }}
}

// dispatch records a tracking_update event for the organization and
// returns the deliveries it scheduled.
func (h *harness) dispatch(t *testing.T, ev waybill.Event) []int64 {
	t.Helper()
	if ev.Type == "" {
		ev.Type = waybill.EventTrackingUpdate
	}
	ev.OrgID, ev.CreatedAt = h.org.ID, h.clock()
	err := h.st.WithTx(context.Background(), func(tx *store.Tx) error {
		return h.svc.Dispatch(context.Background(), tx, ev)
	})
	if err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	return h.queue.take()
}

func ptr[T any](v T) *T { return &v }
