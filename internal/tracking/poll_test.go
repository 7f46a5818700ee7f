package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// snoozed is the test's stand-in for the queue's snooze.
type snoozed struct{ d time.Duration }

func (s snoozed) Error() string { return fmt.Sprintf("snoozed %s", s.d) }

func snoozeOf(err error) (time.Duration, bool) {
	var s snoozed
	if errors.As(err, &s) {
		return s.d, true
	}
	return 0, false
}

// scriptedCarrier answers by credential (api_key) or, without
// credentials, by number: a checkpoint naming the number, not found, or
// an error. It counts calls and batch sizes.
type scriptedCarrier struct {
	mu       sync.Mutex
	maxBatch int // 0: not a batch connector's behaviour (see batchCarrier)
	calls    int
	sizes    []int
	answer   func(req carrier.FetchRequest) (carrier.FetchResult, error)
}

func (c *scriptedCarrier) Fetch(_ context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	c.mu.Lock()
	c.calls++
	c.sizes = append(c.sizes, 1)
	c.mu.Unlock()
	return c.answer(req)
}

func (c *scriptedCarrier) callCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// batchCarrier is scriptedCarrier as a BatchConnector.
type batchCarrier struct{ *scriptedCarrier }

func (c batchCarrier) MaxBatch() int { return c.maxBatch }

func (c batchCarrier) FetchBatch(_ context.Context, reqs []carrier.FetchRequest) ([]carrier.BatchResult, error) {
	c.mu.Lock()
	c.calls++
	c.sizes = append(c.sizes, len(reqs))
	c.mu.Unlock()
	out := make([]carrier.BatchResult, len(reqs))
	for i, r := range reqs {
		out[i].Result, out[i].Err = c.answer(r)
	}
	return out, nil
}

func transitScan(req carrier.FetchRequest) (carrier.FetchResult, error) {
	return carrier.FetchResult{Checkpoints: []waybill.Checkpoint{{
		CheckpointTime: req.CreatedAt.Add(time.Hour).Format(time.RFC3339), Message: "In transit " + req.TrackingNumber,
		Tag: waybill.TagInTransit, Subtag: "InTransit_001"}}}, nil
}

// pollEnv is a tracking service over a real database with one connector
// registered for the courier slug, and a settable clock.
type pollEnv struct {
	st  *store.Store
	svc *tracking.Service
	now time.Time
	org waybill.Organization
}

func newPollEnv(t *testing.T, engine, slug string, conn carrier.Connector) *pollEnv {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, engine)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	reg := carrier.NewRegistry()
	reg.Register(slug, conn)
	e := &pollEnv{st: st, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	e.svc = &tracking.Service{Store: st, Queue: q, Carriers: reg, Secrets: newKeyBox(t), Now: func() time.Time { return e.now },
		Snooze: func(d time.Duration) error { return snoozed{d} }}
	if e.org, err = st.Write().CreateOrg(ctx, "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *pollEnv) create(t *testing.T, orgID int64, slug, number string) waybill.Tracking {
	t.Helper()
	tr, err := e.svc.Create(context.Background(), orgID, tracking.CreateInput{TrackingNumber: number, Slug: slug})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func (e *pollEnv) get(t *testing.T, orgID int64, id string) waybill.Tracking {
	t.Helper()
	tr, err := e.svc.Get(context.Background(), orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestPollNotFoundStaysPending: a number the carrier does not know stays
// Pending, each poll asks the carrier once, no poll fails, and the polls
// follow the cadence (15 min, then 30 min after the first hour) instead
// of retrying.
func TestPollNotFoundStaysPending(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c := &scriptedCarrier{answer: func(carrier.FetchRequest) (carrier.FetchResult, error) {
				return carrier.FetchResult{}, carrier.ErrNotFound
			}}
			e := newPollEnv(t, engine, "royal-mail", c)
			tr := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			var gaps []time.Duration
			for range 8 {
				due := tr.NextPollAt
				e.now = due
				if err := e.svc.Poll(context.Background(), e.org.ID, tr.ID, due); err != nil {
					t.Fatalf("poll: %v", err)
				}
				// The same poll again (a queue retry) changes nothing.
				if err := e.svc.Poll(context.Background(), e.org.ID, tr.ID, due); err != nil {
					t.Fatalf("repeated poll: %v", err)
				}
				tr = e.get(t, e.org.ID, tr.ID)
				gaps = append(gaps, tr.NextPollAt.Sub(due))
			}
			if tr.Tag != waybill.TagPending || !tr.Active {
				t.Errorf("after 8 polls: %s active=%v, want Pending and active", tr.Tag, tr.Active)
			}
			if c.callCount() != 8 {
				t.Errorf("the carrier was asked %d times for 8 polls", c.callCount())
			}
			want := []time.Duration{15, 15, 15, 15, 30, 30, 30, 30}
			for i, g := range gaps {
				if g != want[i]*time.Minute {
					t.Errorf("gap %d is %s, want %d min (all: %v)", i, g, want[i], gaps)
				}
			}
		})
	}
}

// TestPollRateLimitedPausesOnlyThatConnection: a 429 from one
// organization's connection snoozes its polls for the carrier's
// Retry-After (those of its other trackings without asking the carrier
// again) and leaves the tracking's schedule as it was; another
// organization's connection to the same carrier polls on. Without a
// Retry-After, the pause starts at PauseMin and doubles.
func TestPollRateLimitedPausesOnlyThatConnection(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var limitedWait time.Duration = 10 * time.Minute
			c := &scriptedCarrier{answer: func(req carrier.FetchRequest) (carrier.FetchResult, error) {
				switch req.Credentials["api_key"] {
				case "limited-key":
					return carrier.FetchResult{}, &carrier.TemporaryError{Reason: "rate limited", RetryAfter: limitedWait}
				case "flaky-key":
					return carrier.FetchResult{}, &carrier.TemporaryError{Reason: "HTTP 503"}
				}
				return transitScan(req)
			}}
			e := newPollEnv(t, engine, "dhl", c)
			e.svc.PauseMin = time.Millisecond
			other, err := e.st.Write().CreateOrg(ctx, "other", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			flaky, err := e.st.Write().CreateOrg(ctx, "flaky", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for org, key := range map[int64]string{e.org.ID: "limited-key", other.ID: "good-key", flaky.ID: "flaky-key"} {
				if _, err := e.svc.CreateConnection(ctx, org, "dhl", map[string]string{"api_key": key}); err != nil {
					t.Fatal(err)
				}
			}
			a1, a2 := e.create(t, e.org.ID, "dhl", "1234567890"), e.create(t, e.org.ID, "dhl", "1234567891")
			b1 := e.create(t, other.ID, "dhl", "1234567890")

			d, ok := snoozeOf(e.svc.Poll(ctx, e.org.ID, a1.ID, a1.NextPollAt))
			if !ok || d < limitedWait || d > limitedWait*5/4 {
				t.Fatalf("a 429 with Retry-After 10m: snooze %s (%v), want 10m to 12m30s", d, ok)
			}
			calls := c.callCount()
			d, ok = snoozeOf(e.svc.Poll(ctx, e.org.ID, a2.ID, a2.NextPollAt))
			if !ok || d < limitedWait-time.Minute || c.callCount() != calls {
				t.Fatalf("another tracking of the paused connection: snooze %s (%v), carrier calls %d → %d", d, ok, calls, c.callCount())
			}
			if got := e.get(t, e.org.ID, a1.ID); !got.NextPollAt.Equal(a1.NextPollAt) || got.Tag != waybill.TagPending {
				t.Errorf("the rate-limited poll changed the tracking: next %s (was %s), %s", got.NextPollAt, a1.NextPollAt, got.Tag)
			}
			if err := e.svc.Poll(ctx, other.ID, b1.ID, b1.NextPollAt); err != nil {
				t.Fatalf("the other organization's poll: %v", err)
			}
			if got := e.get(t, other.ID, b1.ID); got.Tag != waybill.TagInTransit {
				t.Errorf("the other organization's tracking is %s, want InTransit", got.Tag)
			}

			// No Retry-After: PauseMin, then twice as long.
			f1 := e.create(t, flaky.ID, "dhl", "1234567892")
			var pauses []time.Duration
			for range 2 {
				d, ok := snoozeOf(e.svc.Poll(ctx, flaky.ID, f1.ID, f1.NextPollAt))
				if !ok {
					t.Fatal("a 503 did not snooze the poll")
				}
				pauses = append(pauses, d)
				time.Sleep(20 * time.Millisecond) // past the pause
			}
			if pauses[0] < time.Millisecond || pauses[0] > 2*time.Millisecond || pauses[1] < 2*time.Millisecond || pauses[1] > 3*time.Millisecond {
				t.Errorf("pauses without Retry-After: %v, want about 1ms then 2ms", pauses)
			}
		})
	}
}

// TestPollBatchesOneConnection: polls of one connection worked at once
// share carrier calls of at most MaxBatch numbers, and each tracking gets
// its own number's answer.
func TestPollBatchesOneConnection(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			c := batchCarrier{&scriptedCarrier{maxBatch: 3, answer: transitScan}}
			e := newPollEnv(t, engine, "royal-mail", c)
			e.svc.GatherWindow = time.Minute // the batches fill up (MaxBatch) long before it ends
			var trs []waybill.Tracking
			for i := range 6 {
				trs = append(trs, e.create(t, e.org.ID, "royal-mail", fmt.Sprintf("AB1234567%02dGB", i)))
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(trs))
			for _, tr := range trs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- e.svc.Poll(ctx, e.org.ID, tr.ID, tr.NextPollAt)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if fmt.Sprint(c.sizes) != "[3 3]" {
				t.Errorf("carrier calls of %v numbers, want [3 3]", c.sizes)
			}
			for _, tr := range trs {
				got := e.get(t, e.org.ID, tr.ID)
				if got.Tag != waybill.TagInTransit || len(got.Checkpoints) != 1 || got.Checkpoints[0].Message != "In transit "+tr.TrackingNumber {
					t.Errorf("%s: %s with %+v", tr.TrackingNumber, got.Tag, got.Checkpoints)
				}
			}
		})
	}
}

// TestPollKeepsToConnectionRate: past its budget, a connection's poll is
// snoozed until the budget allows it, without asking the carrier.
func TestPollKeepsToConnectionRate(t *testing.T) {
	ctx := context.Background()
	c := &scriptedCarrier{answer: transitScan}
	e := newPollEnv(t, "sqlite", "royal-mail", c)
	e.svc.Rates = map[string]carrier.Rate{"royal-mail": {PerSecond: 0.001, Burst: 1}} // one call per 1000 s
	first, second := e.create(t, e.org.ID, "royal-mail", "AB000000001GB"), e.create(t, e.org.ID, "royal-mail", "AB000000002GB")
	if err := e.svc.Poll(ctx, e.org.ID, first.ID, first.NextPollAt); err != nil {
		t.Fatal(err)
	}
	d, ok := snoozeOf(e.svc.Poll(ctx, e.org.ID, second.ID, second.NextPollAt))
	if !ok || d < 990*time.Second || d > 1250*time.Second || c.callCount() != 1 {
		t.Fatalf("second poll within the budget: snooze %s (%v), %d carrier calls; want about 1000 s and 1 call", d, ok, c.callCount())
	}
}

// TestPollScaleAndFirstPoll: a new tracking's first poll is queued due at
// once, and WAYBILL_POLL_SCALE multiplies the cadence's interval.
func TestPollScaleAndFirstPoll(t *testing.T) {
	ctx := context.Background()
	c := &scriptedCarrier{answer: func(carrier.FetchRequest) (carrier.FetchResult, error) {
		return carrier.FetchResult{}, carrier.ErrNotFound
	}}
	e := newPollEnv(t, "sqlite", "royal-mail", c)
	e.svc.PollScale = 0.001
	tr := e.create(t, e.org.ID, "royal-mail", "AB000000003GB")
	if !tr.NextPollAt.Equal(e.now) {
		t.Errorf("first poll due %s, want at creation %s", tr.NextPollAt, e.now)
	}
	var available int
	if err := e.st.Writer().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'poll_tracking' AND state = 'available'`).Scan(&available); err != nil || available != 1 {
		t.Fatalf("poll jobs available at once: %d, %v; want 1", available, err)
	}
	if err := e.svc.Poll(ctx, e.org.ID, tr.ID, tr.NextPollAt); err != nil {
		t.Fatal(err)
	}
	if gap := e.get(t, e.org.ID, tr.ID).NextPollAt.Sub(e.now); gap != 900*time.Millisecond {
		t.Errorf("scaled gap %s, want 15 min × 0.001 = 900ms", gap)
	}
}
