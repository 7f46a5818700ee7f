package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
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
// to claims at once.
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
		// push: made after the release, it would take the released delivery
		// itself (its worker is free), and then sleep for an hour.
		firstClaim := make(chan struct{})
		var claimedOnce sync.Once
		first := &webhook.FirstAttempts{Deliverer: h.deliverer([]byte(`{}`)), Workers: 1, Poll: time.Hour, Lease: lease}
		webhook.OnClaim(first, func() { claimedOnce.Do(func() { close(firstClaim) }) })
		runFirstAttempts(t, first)
		select {
		case <-firstClaim:
		case <-time.After(20 * time.Second):
			t.Fatal("gave up waiting for the claim loop's first claim")
		}
		t.Cleanup(func() { once.Do(func() { close(hang) }) }) // before runFirstAttempts' wait
		now := h.clock()
		h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
		waitFor(t, "the handed-off attempt", func() bool { return rec.count() == 1 })
		// One worker: the other delivery is released, claimable at once
		// (claimed here for two leases).
		var released []store.DeliveryKey
		waitFor(t, "the released delivery", func() bool {
			got, err := h.st.Write().ClaimDueDeliveries(ctx, now, 2*lease, 10)
			if err != nil || len(got) > 1 {
				t.Fatalf("claim of the released delivery: %v, %v", got, err)
			}
			released = got
			return len(got) == 1
		})
		if got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease-time.Microsecond), lease, 10); err != nil || len(got) != 0 {
			t.Fatalf("claimed within the lease: %v, %v", got, err)
		}
		got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease), lease, 10)
		if err != nil || len(got) != 1 || got[0] == released[0] {
			t.Fatalf("after the lease: %v (released %v), %v", got, released, err)
		}
		once.Do(func() { close(hang) })
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
