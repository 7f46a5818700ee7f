package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestCrashSendsEveryNotification kills `waybill serve` with SIGKILL 20
// times while statuses change, restarts it each time, and checks that every
// (tracking, status, recipient) that became due was mailed at least once,
// with repeats only as the same Message-ID.
func TestCrashSendsEveryNotification(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { notifyCrashTest(t, engine) })
	}
}

func notifyCrashTest(t *testing.T, engine string) {
	const kills = 20
	const trackings = 40
	const key = "wb_test_bootstrap_key_0001"
	mail := notifytest.StartSMTP(t)
	dbURL := testdb.URL(t, engine)
	env := []string{"WAYBILL_LOG_LEVEL=warn", "WAYBILL_SHUTDOWN_TIMEOUT=2s", "WAYBILL_RATE_LIMIT_V4=10000",
		fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Crash Store <notify@crash.example>"}
	env = append(env, crashLease...)
	p := startServe(t, dbURL, env...)
	for i := range trackings {
		status, body := p.call(t, "POST", "/v4/trackings", key, map[string]any{"tracking": map[string]any{
			"slug": "dhl", "tracking_number": fmt.Sprintf("NCRASH%03d", i), "emails": []string{fmt.Sprintf("c%03d@example.org", i)}}})
		if status != 201 {
			t.Fatalf("create tracking: %d %v", status, body)
		}
	}

	// Statuses that notify, never Delivered (a tracking could then stop).
	tags := []string{"InfoReceived", "InTransit", "OutForDelivery", "AvailableForPickup", "AttemptFail", "Exception"}
	rng := rand.New(rand.NewPCG(3, 4))
	acknowledged, step := 0, 0
	client := &http.Client{Timeout: 5 * time.Second}
	for kill := 0; kill < kills; kill++ {
		stop := time.Now().Add(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		for time.Now().Before(stop) {
			step++
			payload, _ := json.Marshal(map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("NCRASH%03d", step%trackings),
				"checkpoints": []map[string]any{{"checkpoint_time": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(step) * time.Minute).Format(time.RFC3339),
					"message": fmt.Sprintf("scan %d", step), "tag": tags[rng.IntN(len(tags))]}}})
			req, _ := http.NewRequest("POST", p.URL+"/v1/checkpoints", bytes.NewReader(payload))
			req.Header.Set("as-api-key", key)
			res, err := client.Do(req)
			if err != nil {
				continue
			}
			res.Body.Close()
			if res.StatusCode/100 == 2 {
				acknowledged++
			}
		}
		p.kill(t)
		p = p.restart(t)
	}

	// What was due: every status change a committed transaction recorded.
	// A change and its notification commit together, so each change must
	// have its row, and each row its mail.
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.Writer()
	var changes int
	if err := db.QueryRow(`SELECT COUNT(*) FROM (SELECT DISTINCT tracking_id, tag FROM events WHERE type = 'tracking_update') AS changes`).Scan(&changes); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // Message-ID -> (tracking, status, recipient)
	rows, err := db.Query(`SELECT public_id, tracking_id, status, recipient FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, tr, status, rcpt string
		_ = rows.Scan(&id, &tr, &status, &rcpt)
		want[notify.MessageID(id, rcpt, "crash.example")] = tr + "/" + status + "/" + rcpt
	}
	rows.Close()
	if len(want) != changes {
		t.Errorf("%d status changes committed but %d notifications decided", changes, len(want))
	}

	received := func() (got map[string]int, stray int) {
		got = map[string]int{}
		for _, m := range mail.Mails() {
			if _, ok := want[m.MessageID()]; ok {
				got[m.MessageID()]++
			} else {
				stray++
			}
		}
		return got, stray
	}
	deadline := time.Now().Add(180 * time.Second)
	for {
		got, _ := received()
		if len(got) == len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let a last repeat land before counting
	got, stray := received()
	mails, dupes := 0, 0
	for _, n := range got {
		mails += n
		dupes += n - 1
	}
	var missing []string
	for id, what := range want {
		if got[id] == 0 {
			missing = append(missing, what)
		}
	}
	summary := fmt.Sprintf("%s: %d kills, %d acknowledged pushes, %d status changes, %d notifications due, %d mails received, %d repeats (same Message-ID), %d missing, %d stray",
		engine, kills, acknowledged, changes, len(want), mails+stray, dupes, len(missing), stray)
	t.Log(summary)
	if path := os.Getenv("WAYBILL_NOTIFY_CRASH_REPORT"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, summary)
			f.Close()
		}
	}
	if acknowledged == 0 || len(want) == 0 {
		t.Fatal("no status change was acknowledged: the test proved nothing")
	}
	if len(missing) > 0 {
		t.Errorf("%d due notifications never arrived, e.g. %s", len(missing), missing[0])
		var states []string
		srows, _ := db.Query(`SELECT state, last_error, COUNT(*) FROM notifications GROUP BY state, last_error`)
		for srows != nil && srows.Next() {
			var s, e string
			var n int
			_ = srows.Scan(&s, &e, &n)
			states = append(states, fmt.Sprintf("%s %q: %d", s, e, n))
		}
		if srows != nil {
			srows.Close()
		}
		t.Logf("notification states: %s", strings.Join(states, "; "))
	}
	if stray > 0 {
		t.Errorf("%d mails with a Message-ID no notification has", stray)
	}
}
