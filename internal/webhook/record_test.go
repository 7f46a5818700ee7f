package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestConcurrentAttemptsAreRecordedLikeSeparateTransactions delivers many
// events at once to a healthy endpoint, a failing one and a flaky one, so
// that attempts finishing together share a commit (group commit), and
// checks that the record is what one transaction per attempt would give:
// every attempt recorded once with its delivery's state, a retry queued
// for each failure, and each endpoint's failing mark set exactly when the
// last attempt recorded for it failed.
func TestConcurrentAttemptsAreRecordedLikeSeparateTransactions(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) { checkConcurrentAttempts(t, h, nil) })
}

// TestGroupCommittedAttemptsAreRecordedLikeSeparateTransactions is the
// same with the attempts' records committed by a store.GroupCommitter, as
// `waybill serve` does: each record is then an item of the committer's
// shared transaction, a success with no savepoint of its own.
func TestGroupCommittedAttemptsAreRecordedLikeSeparateTransactions(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		g := store.NewGroupCommitter(h.st)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { g.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		checkConcurrentAttempts(t, h, g)
		if batches, items := g.Stats(); batches == 0 || items == 0 {
			t.Errorf("the group committer committed %d items in %d batches: the records did not go through it", items, batches)
		}
	})
}

func checkConcurrentAttempts(t *testing.T, h *harness, group *store.GroupCommitter) {
	t.Helper()
	ctx := context.Background()
	h.svc.AllowPrivate = true
	var flakyCalls atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if flakyCalls.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(flaky.Close)
	ok, bad := newReceiver(t, http.StatusOK), newReceiver(t, http.StatusInternalServerError)
	endpoints := map[string]string{}
	for name, url := range map[string]string{"ok": ok.URL, "bad": bad.URL, "flaky": flaky.URL} {
		ep, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(url + "/" + name)})
		if err != nil {
			t.Fatal(err)
		}
		endpoints[ep.ID] = name
	}

	const events = 40
	var ids []int64
	for range events {
		ids = append(ids, h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})...)
	}
	if len(ids) != 3*events {
		t.Fatalf("%d deliveries dispatched, want %d", len(ids), 3*events)
	}
	d := h.deliverer([]byte(`{}`))
	d.GroupCommit = group
	d.PerEndpoint = len(ids) // no attempt waits for a slot (and is snoozed)
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Go(func() { errs[i] = d.Deliver(ctx, h.org.ID, id, 1) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Deliver(%d): %v", ids[i], err)
		}
	}

	failed := 0
	for _, id := range ids {
		del, err := h.st.Read().Delivery(ctx, h.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if del.Attempts != 1 {
			t.Errorf("delivery %d to %s: %d attempts recorded, want 1", id, endpoints[del.Endpoint.ID], del.Attempts)
		}
		switch name := endpoints[del.Endpoint.ID]; {
		case name == "ok" && del.Status != store.DeliverySucceeded, name == "bad" && del.Status != store.DeliveryPending:
			t.Errorf("delivery %d to %s is %s", id, name, del.Status)
		}
		if del.Status == store.DeliveryPending {
			failed++
		}
		// Delivering the same attempt again does nothing.
		if err := d.Deliver(ctx, h.org.ID, id, 1); err != nil {
			t.Fatal(err)
		}
	}
	if retries := h.queue.take(); len(retries) != failed {
		t.Errorf("%d retries queued for %d failed attempts", len(retries), failed)
	}

	for epID, name := range endpoints {
		attempts, err := h.svc.Attempts(ctx, h.org.ID, epID, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(attempts) != events {
			t.Errorf("%s: %d attempts listed, want %d", name, len(attempts), events)
			continue
		}
		if !slices.IsSortedFunc(attempts, func(a, b waybill.DeliveryAttempt) int { return int(b.ID - a.ID) }) {
			t.Errorf("%s: attempts not newest first", name)
		}
		ep, err := h.st.Read().Endpoint(ctx, h.org.ID, epID)
		if err != nil {
			t.Fatal(err)
		}
		lastFailed := attempts[0].Outcome != "success"
		if failing := !ep.FailingSince.IsZero(); failing != lastFailed {
			t.Errorf("%s: failing since %v, but its last attempt recorded was %q", name, ep.FailingSince, attempts[0].Outcome)
		}
	}
}
