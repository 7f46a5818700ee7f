package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// holdingReceiver is a webhook receiver that, once armed, holds the first
// request it gets until released or until its sender hangs up, and counts
// every request by event id.
type holdingReceiver struct {
	mu       sync.Mutex
	armed    bool
	held     bool
	requests map[string]int
	heldID   string
	arrived  chan struct{} // closed when the held request has arrived
	release  chan struct{} // closed by the test to answer it
}

func newHoldingReceiver() *holdingReceiver {
	return &holdingReceiver{requests: map[string]int{}, arrived: make(chan struct{}), release: make(chan struct{})}
}

func (rc *holdingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var payload struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &payload)
	rc.mu.Lock()
	rc.requests[payload.EventID]++
	hold := rc.armed && !rc.held
	if hold {
		rc.held, rc.heldID = true, payload.EventID
		close(rc.arrived)
	}
	rc.mu.Unlock()
	if hold {
		select {
		case <-rc.release:
		case <-r.Context().Done(): // the sender gave up
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *holdingReceiver) count(eventID string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests[eventID]
}

// TestShutdownFinishesRunningJobs sends SIGTERM to `waybill serve` while a
// webhook attempt to a slow receiver and a notification to a slow mail
// server are in flight. Within WAYBILL_SHUTDOWN_TIMEOUT both finish, their
// outcome is recorded, and the restarted process sends neither again. Past
// the timeout they are cancelled and, after the restart, sent again:
// nothing is lost.
func TestShutdownFinishesRunningJobs(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Run("within the timeout", func(t *testing.T) { shutdownTest(t, engine, false) })
			t.Run("past the timeout", func(t *testing.T) { shutdownTest(t, engine, true) })
		})
	}
}

func shutdownTest(t *testing.T, engine string, pastTimeout bool) {
	const key = "wb_test_bootstrap_key_0001"
	const recipient = "slow@example.org"
	rc := newHoldingReceiver()
	recv := httptest.NewServer(rc)
	defer recv.Close()
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(rc.release) }) }
	defer releaseAll() // before recv.Close, which waits for the held request

	mail := notifytest.StartSMTP(t)
	var mailMu sync.Mutex
	mailArmed, mailHeld, heldMessageID := false, false, ""
	mailArrived := make(chan struct{})
	mail.Hold = func(m notifytest.Mail) {
		mailMu.Lock()
		hold := mailArmed && !mailHeld
		if hold {
			mailHeld, heldMessageID = true, m.MessageID()
			close(mailArrived)
		}
		mailMu.Unlock()
		if hold {
			<-rc.release
		}
	}

	timeout := "2m"
	if pastTimeout {
		timeout = "1s"
	}
	dbURL := testdb.URL(t, engine)
	env := []string{"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_WEBHOOK_TIMEOUT=1m", "WAYBILL_LOG_LEVEL=info",
		"WAYBILL_SHUTDOWN_TIMEOUT=" + timeout,
		fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Slow Store <notify@slow.example>"}
	p := startServe(t, dbURL, env...)
	if status, body := p.call(t, "POST", "/v4/trackings", key, map[string]any{"tracking": map[string]any{
		"slug": "dhl", "tracking_number": "SHUTDOWN01", "emails": []string{recipient}}}); status != 201 {
		t.Fatalf("create tracking: %d %v", status, body)
	}
	if status, body := p.call(t, "POST", "/v1/webhooks", key, map[string]any{"url": recv.URL + "/hook", "events": []string{"tracking_update"}}); status != 201 {
		t.Fatalf("create webhook: %d %v", status, body)
	}
	rc.mu.Lock()
	rc.armed = true
	rc.mu.Unlock()
	mailMu.Lock()
	mailArmed = true
	mailMu.Unlock()

	event := pushCheckpoint(t, p, key, "SHUTDOWN01", 1, "InTransit")
	for what, arrived := range map[string]chan struct{}{"the webhook attempt": rc.arrived, "the mail": mailArrived} {
		select {
		case <-arrived:
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s never reached its slow server:\n%s", what, p.stderr)
		}
	}
	if rc.heldID != event {
		t.Fatalf("the receiver holds event %s, the push made %s", rc.heldID, event)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes once the shutdown has begun.
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	eventually(t, "the listener to close after SIGTERM", 2*time.Minute, func() bool {
		res, err := probe.Get(p.URL + "/healthz")
		if err != nil {
			return true
		}
		res.Body.Close()
		return false
	})
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	if !pastTimeout {
		releaseAll() // both slow servers answer now, while the process shuts down
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("waybill did not exit after SIGTERM:\n%s", p.stderr)
	}
	releaseAll()

	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.Writer()
	outcome := func() (delivery, notification string, jobs int) {
		t.Helper()
		if err := db.QueryRow(`SELECT d.status FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.public_id = $1`, event).Scan(&delivery); err != nil {
			t.Fatalf("delivery of %s: %v", event, err)
		}
		if err := db.QueryRow(`SELECT state FROM notifications WHERE recipient = $1 AND status = 'InTransit'`, recipient).Scan(&notification); err != nil {
			t.Fatalf("notification: %v", err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind IN ('deliver_webhook', 'send_notification')
			AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`).Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		return delivery, notification, jobs
	}
	mailsOf := func(id string) int {
		n := 0
		for _, m := range mail.Mails() {
			if m.MessageID() == id {
				n++
			}
		}
		return n
	}

	delivery, notification, jobs := outcome()
	if !pastTimeout {
		if delivery != store.DeliverySucceeded || notification != "sent" || jobs != 0 {
			t.Fatalf("after a shutdown within the timeout: delivery %s, notification %s, %d jobs still to run; want succeeded, sent, 0\n%s",
				delivery, notification, jobs, p.stderr)
		}
	} else if delivery != store.DeliveryPending || notification != "pending" || jobs != 2 {
		t.Fatalf("after a shutdown past the timeout: delivery %s, notification %s, %d jobs to run; want pending, pending, 2\n%s",
			delivery, notification, jobs, p.stderr)
	}
	st.Close()

	// Restart. Within the timeout, nothing is sent again: a later change's
	// webhook and mail arrive, and the first ones still arrived once. Past
	// the timeout, the cancelled attempts run again and succeed.
	p = startServe(t, dbURL, env...)
	if !pastTimeout {
		later := pushCheckpoint(t, p, key, "SHUTDOWN01", 2, "OutForDelivery")
		eventually(t, "the later change's webhook and mail", 2*time.Minute, func() bool {
			return rc.count(later) == 1 && len(mail.Mails()) == 2
		})
		if n := rc.count(event); n != 1 {
			t.Errorf("the receiver got the event %d times, want 1", n)
		}
		if n := mailsOf(heldMessageID); n != 1 {
			t.Errorf("the mail arrived %d times, want 1", n)
		}
		return
	}
	st, err = store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db = st.Writer()
	eventually(t, "the cancelled attempts to run again", 2*time.Minute, func() bool {
		d, n, j := outcome()
		return d == store.DeliverySucceeded && n == "sent" && j == 0
	})
	// The cut-short request and the retry; the mail server had the held
	// message's data, so it keeps it too, and the retry repeats it under
	// the same Message-ID.
	if n := rc.count(event); n != 2 {
		t.Errorf("the receiver got the event %d times, want 2", n)
	}
	if n := mailsOf(heldMessageID); n != 2 {
		t.Errorf("the mail arrived %d times, want 2", n)
	}
}

// pushCheckpoint pushes one checkpoint of a tracking to /v1/checkpoints and
// returns the id of the tracking_update event it made.
func pushCheckpoint(t *testing.T, p *process, key, number string, minute int, tag string) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"slug": "dhl", "tracking_number": number,
		"checkpoints": []map[string]any{{"checkpoint_time": time.Date(2026, 1, 1, 0, minute, 0, 0, time.UTC).Format(time.RFC3339),
			"message": "scan " + tag, "tag": tag}}})
	req, _ := http.NewRequest("POST", p.URL+"/v1/checkpoints", bytes.NewReader(payload))
	req.Header.Set("as-api-key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Events []string `json:"events"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode/100 != 2 || len(out.Events) != 1 {
		t.Fatalf("push checkpoint: %d %v %v", res.StatusCode, out, err)
	}
	return out.Events[0]
}
