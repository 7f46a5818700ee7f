package main

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestNoWebhookWorkersLeavesDeliveriesToTheNext: a server started with
// WAYBILL_WEBHOOK_WORKERS=0 stores the deliveries of its pushes and
// attempts none of them, up to its clean exit (which waits for every
// attempt under way); a server started after it with workers delivers
// every event, as after an outage of delivery (scripts/bench-webhooks.sh's
// backlog mode).
func TestNoWebhookWorkersLeavesDeliveriesToTheNext(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			const key = "wb_test_bootstrap_key_0001"
			rc := &receiver{got: map[string]int{}}
			recv := httptest.NewServer(rc)
			defer recv.Close()
			dbURL := testdb.URL(t, engine)
			env := []string{"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_LOG_LEVEL=warn", "WAYBILL_SHUTDOWN_TIMEOUT=5s"}

			paused := startServe(t, dbURL, append(env, "WAYBILL_WEBHOOK_WORKERS=0")...)
			status, body := paused.call(t, "POST", "/v1/webhooks", key, map[string]any{"url": recv.URL + "/hook", "events": []string{"tracking_update"}})
			if status != 201 {
				t.Fatalf("create webhook: %d %v", status, body)
			}
			rc.secret = body["secret"].(string)
			tags := []string{"InTransit", "OutForDelivery", "AttemptFail"}
			want := map[string]bool{}
			for i := range 12 {
				want[pushCheckpoint(t, paused, key, fmt.Sprintf("PAUSE%02d", i%4), i, tags[i%len(tags)])] = true
			}
			stop(t, paused)
			if n := len(want) - len(rc.missing(want)); n > 0 {
				t.Fatalf("%d of %d events delivered by a server with WAYBILL_WEBHOOK_WORKERS=0", n, len(want))
			}

			next := startServe(t, dbURL, env...)
			defer stop(t, next)
			deadline := time.Now().Add(60 * time.Second)
			for len(rc.missing(want)) > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if missing := rc.missing(want); len(missing) > 0 {
				t.Errorf("%d of %d events never delivered after the restart with workers, e.g. %s", len(missing), len(want), missing[0])
			}
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if len(rc.bad) > 0 {
				t.Errorf("%d bad deliveries, e.g. %s", len(rc.bad), rc.bad[0])
			}
		})
	}
}
