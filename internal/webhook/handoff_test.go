package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/webhook"
)

// runFirstAttempts runs f until the test ends, once it takes its Service's
// deliveries.
func runFirstAttempts(t *testing.T, f *webhook.FirstAttempts) {
	t.Helper()
	claims, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(claims, context.Background()); close(done) }()
	t.Cleanup(func() {
		stop()
		<-done
		if err := f.Wait(context.Background()); err != nil {
			t.Error(err)
		}
	})
	for !f.HandsOff() {
		time.Sleep(time.Millisecond)
	}
}

// waitFor polls cond until it holds, or fails the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

// TestPushersAttemptTheirOwnDeliveries: while a FirstAttempts runs, the
// deliveries a transaction inserts are attempted by it once the
// transaction commits, without a claim (the claim loop here never claims
// after its first, empty claim), and are inserted claimed: no claim takes
// them within the lease. A transaction that rolls back, or a savepoint that
// does, sends nothing.
func TestPushersAttemptTheirOwnDeliveries(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		rec, ep := claimHarness(t, h, http.StatusOK)
		runFirstAttempts(t, &webhook.FirstAttempts{Deliverer: h.deliverer([]byte(`{}`)), Workers: 4, Poll: time.Hour})
		undo := errors.New("undo")
		ev := waybill.Event{Type: waybill.EventTrackingUpdate, OrgID: h.org.ID, Tag: waybill.TagInTransit, CreatedAt: h.clock()}
		if err := h.st.WithTx(ctx, func(tx *store.Tx) error {
			if err := h.svc.Dispatch(ctx, tx, ev); err != nil {
				return err
			}
			return undo
		}); !errors.Is(err, undo) {
			t.Fatal(err)
		}
		if err := h.st.WithTx(ctx, func(tx *store.Tx) error {
			err := tx.Savepoint(ctx, func() error {
				if err := h.svc.Dispatch(ctx, tx, ev); err != nil {
					return err
				}
				return undo
			})
			if !errors.Is(err, undo) {
				t.Errorf("savepoint: %v", err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if jobs := h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit}); len(jobs) != 0 {
			t.Fatalf("handed-off deliveries were queued as jobs: %v", jobs)
		}
		waitFor(t, "the attempt's record", func() bool {
			got, err := h.svc.Attempts(ctx, h.org.ID, ep.ID, "", 10)
			return err == nil && len(got) == 1
		})
		if n := rec.count(); n != 1 {
			t.Errorf("the receiver got %d requests, want 1 (rolled-back dispatches send nothing)", n)
		}
		if left, err := h.st.Write().ClaimDueDeliveries(ctx, h.clock().Add(time.Hour), time.Minute, 10); err != nil || len(left) != 0 {
			t.Errorf("deliveries claimable after the handed-off attempt: %v, %v", left, err)
		}
	})
}

// TestHandedOffDeliveriesStayClaimedForTheLease: a handed-off delivery
// whose attempt is under way (its receiver hangs) is claimed by no one
// within the lease from its insert, and by a claim after it (the process
// that inserted it died); one the hand-off has no worker for is released
// to claims at once, and the release wakes the process's own claim loop,
// which claims it although its next claim is an hour away.
func TestHandedOffDeliveriesStayClaimedForTheLease(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate, h.svc.ClaimFirstAttempts = true, true
		hang := make(chan struct{})
		var once sync.Once
		rec := newReceiver(t, http.StatusOK)
		inner := rec.Config.Handler
		rec.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner.ServeHTTP(w, r); <-hang })
		for range 2 {
			if _, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(rec.URL)}); err != nil {
				t.Fatal(err)
			}
		}
		const lease = time.Minute
		// The claim loop's first claim, at its start, must come before the
		// push, so that only a wake makes it claim again within the hour.
		firstClaim := make(chan struct{})
		var claims atomic.Int32
		first := &webhook.FirstAttempts{Deliverer: h.deliverer([]byte(`{}`)), Workers: 1, Poll: time.Hour, Lease: lease}
		webhook.OnClaim(first, func() {
			if claims.Add(1) == 1 {
				close(firstClaim)
			}
		})
		runFirstAttempts(t, first)
		select {
		case <-firstClaim:
		case <-time.After(20 * time.Second):
			t.Fatal("gave up waiting for the claim loop's first claim")
		}
		t.Cleanup(func() { once.Do(func() { close(hang) }) }) // before runFirstAttempts' wait
		now := h.clock()
		h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
		// One hand-off worker: one delivery is handed off, the other
		// released, and the release's wake makes the loop claim it (its
		// worker is free) and attempt it.
		waitFor(t, "the handed-off attempt and the released one's", func() bool { return rec.count() == 2 })
		if n := claims.Load(); n != 2 {
			t.Errorf("the claim loop made %d claims, want 2 (its first, and the one the release woke)", n)
		}
		// Both are claimed, one at its insert and one by the loop's claim,
		// each for the lease from now (the clock stands still).
		if got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease-time.Microsecond), lease, 10); err != nil || len(got) != 0 {
			t.Fatalf("claimed within the lease: %v, %v", got, err)
		}
		got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease), lease, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("after the lease: %v, %v (want both deliveries)", got, err)
		}
		once.Do(func() { close(hang) })
	})
}

// TestClaimableDeliveriesWakeTheClaimLoop: deliveries this process inserts
// claimable (a replay's) wake its claim loop, so they are attempted
// although the loop's next claim is an hour away.
func TestClaimableDeliveriesWakeTheClaimLoop(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		rec, ep := claimHarness(t, h, http.StatusOK)
		firstClaim := make(chan struct{})
		var claims atomic.Int32
		first := &webhook.FirstAttempts{Deliverer: h.deliverer([]byte(`{}`)), Workers: 2, Poll: time.Hour}
		webhook.OnClaim(first, func() {
			if claims.Add(1) == 1 {
				close(firstClaim)
			}
		})
		runFirstAttempts(t, first)
		<-firstClaim
		h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit}) // handed off
		waitFor(t, "the handed-off attempt", func() bool { return rec.count() == 1 })
		events, err := h.svc.Events(ctx, h.org.ID, h.clock().Add(-time.Hour), h.clock().Add(time.Hour), 10)
		if err != nil || len(events) != 1 {
			t.Fatalf("events: %v, %v", events, err)
		}
		if n, err := h.svc.ReplayEvent(ctx, h.org.ID, events[0].ID, ep.ID); err != nil || n != 1 {
			t.Fatalf("replay: %d, %v", n, err)
		}
		waitFor(t, "the replay's attempt", func() bool { return rec.count() == 2 })
		if n, err := h.svc.ReplayRange(ctx, h.org.ID, ep.ID, h.clock().Add(-time.Hour), h.clock().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("replay of a range: %d, %v", n, err)
		}
		waitFor(t, "the range replay's attempt", func() bool { return rec.count() == 3 })
	})
}

// TestHandOffAndClaimsAttemptEachDeliveryOnce: two instances (services
// and FirstAttempts of their own on one database) push at once; each hands
// its deliveries to its own workers, releases what they cannot take, and
// claims what either released. Every delivery is attempted exactly once.
func TestHandOffAndClaimsAttemptEachDeliveryOnce(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		rec, ep := claimHarness(t, h, http.StatusOK)
		other := &webhook.Service{Store: h.st, Queue: h.queue, Now: h.clock, AllowPrivate: true, ClaimFirstAttempts: true}
		for _, svc := range []*webhook.Service{h.svc, other} {
			d := h.deliverer([]byte(`{}`))
			d.Service = svc
			runFirstAttempts(t, &webhook.FirstAttempts{Deliverer: d, Workers: 2, Poll: time.Millisecond})
		}
		const events = 60
		var wg sync.WaitGroup
		for i := range events {
			svc := []*webhook.Service{h.svc, other}[i%2]
			wg.Go(func() {
				ev := waybill.Event{Type: waybill.EventTrackingUpdate, OrgID: h.org.ID, Tag: waybill.TagInTransit, CreatedAt: h.clock()}
				if err := h.st.WithTx(ctx, func(tx *store.Tx) error { return svc.Dispatch(ctx, tx, ev) }); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		waitFor(t, "every attempt's record", func() bool {
			got, err := h.svc.Attempts(ctx, h.org.ID, ep.ID, "", 1000)
			return err == nil && len(got) >= events
		})
		time.Sleep(50 * time.Millisecond) // room for a duplicate to show
		if n := rec.count(); n != events {
			t.Errorf("the receiver got %d requests for %d deliveries", n, events)
		}
		if got, err := h.svc.Attempts(ctx, h.org.ID, ep.ID, "", 1000); err != nil || len(got) != events {
			t.Errorf("%d attempts recorded for %d deliveries (%v)", len(got), events, err)
		}
		if left, err := h.st.Write().ClaimDueDeliveries(ctx, h.clock().Add(time.Hour), time.Minute, 1000); err != nil || len(left) != 0 {
			t.Errorf("deliveries claimable after their first attempt: %v, %v", left, err)
		}
	})
}
