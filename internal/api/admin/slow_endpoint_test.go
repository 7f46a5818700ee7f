package admin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestSlowEndpointDoesNotDelayOthers: while one endpoint hangs on every
// delivery, another endpoint of the same organization still receives every
// event, because each endpoint has a bounded share of the delivery workers.
func TestSlowEndpointDoesNotDelayOthers(t *testing.T) {
	s := newStack(t, "sqlite")
	release := make(chan struct{})
	var slowHits, slowGaveUp atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowHits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			slowGaveUp.Add(1) // the client's 5 s timeout freed this worker
		}
	}))
	defer slow.Close()
	defer close(release)
	fast, fastURL := newReceiver(t, 200)
	for _, url := range []string{slow.URL, fastURL} {
		if status, body := s.call("POST", "/v1/webhooks", map[string]any{"url": url}); status != 201 {
			t.Fatalf("create webhook %s: %d %v", url, status, body)
		}
	}
	const events = 20
	for i := 0; i < events; i++ {
		status, body := s.call("POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("SLOW%03d", i),
			"checkpoints": []map[string]any{{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Picked up", "tag": "InTransit"}}})
		if status != 201 {
			t.Fatalf("push %d: %d %v", i, status, body)
		}
	}
	// Every fast delivery arrives while the slow endpoint still holds its
	// attempts: no worker had to wait for a slow attempt to time out. Without
	// the per-endpoint limit the slow endpoint takes all 16 workers and the
	// fast deliveries come only after timeouts.
	fast.wait(t, events)
	if slowHits.Load() == 0 {
		t.Fatal("the slow endpoint was never called: the test proved nothing")
	}
	if n := slowGaveUp.Load(); n > 0 {
		t.Errorf("%d slow attempts timed out before the fast endpoint had all its deliveries", n)
	}
	if n := slowHits.Load(); n > 8 {
		t.Errorf("the slow endpoint had %d attempts in flight, want at most 8", n)
	}
}
