package webhook_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// claimHarness is a harness whose service leaves first attempts in the
// deliveries table for claims, with one endpoint to a receiver answering
// status.
func claimHarness(t *testing.T, h *harness, status int) (*receiver, waybill.WebhookEndpoint) {
	t.Helper()
	h.svc.AllowPrivate, h.svc.ClaimFirstAttempts = true, true
	rec := newReceiver(t, status)
	ep, _, err := h.svc.CreateEndpoint(context.Background(), h.org.ID, webhook.EndpointInput{URL: ptr(rec.URL)})
	if err != nil {
		t.Fatal(err)
	}
	return rec, ep
}

// TestClaimsTakeEachDeliveryOnceUntilItsLeaseEnds: a claimable delivery
// is a job of no queue; a claim takes it from every other claim until the
// lease ends (a claim of a process that died is then taken up), and its
// record ends it for good.
func TestClaimsTakeEachDeliveryOnceUntilItsLeaseEnds(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		claimHarness(t, h, http.StatusOK)
		for range 3 {
			if jobs := h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit}); len(jobs) != 0 {
				t.Fatalf("claimable deliveries were queued as jobs: %v", jobs)
			}
		}
		now, lease := h.clock(), time.Minute
		first, err := h.st.Write().ClaimDueDeliveries(ctx, now, lease, 2)
		if err != nil || len(first) != 2 {
			t.Fatalf("first claim: %v, %v", first, err)
		}
		second, err := h.st.Write().ClaimDueDeliveries(ctx, now, lease, 10)
		if err != nil || len(second) != 1 || second[0] == first[0] || second[0] == first[1] {
			t.Fatalf("second claim: %v (first %v), %v", second, first, err)
		}
		if none, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease-time.Microsecond), lease, 10); err != nil || len(none) != 0 {
			t.Fatalf("claimed again within the lease: %v, %v", none, err)
		}
		// The first delivery's attempt is recorded; the others' claims lapse.
		d := h.deliverer([]byte(`{}`))
		if err := d.Deliver(ctx, first[0].OrgID, first[0].ID, 1); err != nil {
			t.Fatal(err)
		}
		again, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease), lease, 10)
		if err != nil || len(again) != 2 {
			t.Fatalf("after the lease: %v, %v", again, err)
		}
		for _, k := range again {
			if k == first[0] {
				t.Errorf("delivery %d claimed again after its record", k.ID)
			}
		}
		// A late defer by the claim that lapsed leaves the new claim alone;
		// the new claim's own defer makes the delivery claimable when it says.
		stale, current := now.Add(lease), now.Add(2*lease)
		if err := h.st.Write().DeferClaim(ctx, again[0], stale, now); err != nil {
			t.Fatal(err)
		}
		if got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(2*lease-time.Microsecond), lease, 10); err != nil || len(got) != 0 {
			t.Fatalf("a lapsed claim's defer shortened the new claim: %v, %v", got, err)
		}
		if err := h.st.Write().DeferClaim(ctx, again[0], current, now.Add(lease+time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, err := h.st.Write().ClaimDueDeliveries(ctx, now.Add(lease+time.Second), lease, 10); err != nil || len(got) != 1 || got[0] != again[0] {
			t.Fatalf("after its claim's defer: %v (want %v), %v", got, again[0], err)
		}
	})
}

// TestFirstAttemptsDeliverEachDeliveryOnce: two claimers on one database
// (two instances) attempt every claimable delivery exactly once and record
// it; a failed first attempt schedules its retry as a job, as before.
func TestFirstAttemptsDeliverEachDeliveryOnce(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		rec, ep := claimHarness(t, h, http.StatusOK)
		failing := newReceiver(t, http.StatusInternalServerError)
		bad, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(failing.URL)})
		if err != nil {
			t.Fatal(err)
		}
		const events = 40
		for range events {
			h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
		}
		claims, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		claimers := []*webhook.FirstAttempts{{Workers: 7, Poll: time.Millisecond}, {Workers: 5, Poll: time.Millisecond}}
		for _, f := range claimers {
			f.Deliverer = h.deliverer([]byte(`{}`))
			wg.Go(func() { f.Run(claims, ctx) })
		}
		// Wait until both endpoints' attempts are all recorded.
		for {
			good, err1 := h.svc.Attempts(ctx, h.org.ID, ep.ID, "", 1000)
			failed, err2 := h.svc.Attempts(ctx, h.org.ID, bad.ID, "", 1000)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if len(good) >= events && len(failed) >= events {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		for _, f := range claimers {
			if err := f.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		rec.mu.Lock()
		sent := len(rec.requests)
		rec.mu.Unlock()
		if sent != events {
			t.Errorf("the receiver got %d requests for %d deliveries", sent, events)
		}
		for _, id := range []string{ep.ID, bad.ID} {
			attempts, err := h.svc.Attempts(ctx, h.org.ID, id, "", 1000)
			if err != nil || len(attempts) != events {
				t.Fatalf("endpoint %s: %d attempts recorded for %d deliveries (%v)", id, len(attempts), events, err)
			}
			for _, a := range attempts {
				want := "success"
				if id == bad.ID {
					want = "retry"
				}
				if a.Attempt != 1 || a.Outcome != want {
					t.Errorf("endpoint %s: attempt %d %q, want 1 %q", id, a.Attempt, a.Outcome, want)
				}
			}
		}
		if retries := h.queue.take(); len(retries) != events {
			t.Errorf("%d retries queued for %d failed first attempts", len(retries), events)
		}
		left, err := h.st.Write().ClaimDueDeliveries(ctx, h.clock().Add(time.Hour), time.Minute, 1000)
		if err != nil || len(left) != 0 {
			t.Errorf("deliveries claimable after their first attempt: %v, %v", left, err)
		}
	})
}
