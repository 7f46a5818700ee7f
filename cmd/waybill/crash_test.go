package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// receiver counts webhook deliveries by event id and checks each signature.
type receiver struct {
	secret string
	mu     sync.Mutex
	got    map[string]int
	bad    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(rc.secret))
	mac.Write(body)
	var payload struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &payload)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case payload.EventID == "":
		// A body cut short by the kill: the sender sees no 2xx and retries.
	case r.Header.Get("aftership-hmac-sha256") != base64.StdEncoding.EncodeToString(mac.Sum(nil)):
		rc.bad = append(rc.bad, "bad signature on "+payload.EventID)
	case r.Header.Get("webhook-id") != payload.EventID:
		rc.bad = append(rc.bad, fmt.Sprintf("webhook-id %q differs from event_id %q", r.Header.Get("webhook-id"), payload.EventID))
	default:
		rc.got[payload.EventID]++
	}
}

func (rc *receiver) missing(want map[string]bool) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for id := range want {
		if rc.got[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// TestCrashDeliversEveryEvent kills Waybill with SIGKILL at random moments
// while checkpoints flow, restarts it each time, and checks that every event
// of an acknowledged push reaches the receiver at least once, under its own
// event id.
func TestCrashDeliversEveryEvent(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { crashTest(t, engine) })
	}
}

func crashTest(t *testing.T, engine string) {
	const kills = 20
	const key = "wb_test_bootstrap_key_0001"
	rc := &receiver{got: map[string]int{}}
	recv := httptest.NewServer(rc)
	defer recv.Close()

	dbURL := testdb.URL(t, engine)
	env := []string{"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_WEBHOOK_RETRY_SCHEDULE=100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
		"WAYBILL_LOG_LEVEL=warn", "WAYBILL_SHUTDOWN_TIMEOUT=2s"}
	env = append(env, crashLease...)
	p := startServe(t, dbURL, env...)
	status, body := p.call(t, "POST", "/v1/webhooks", key, map[string]any{"url": recv.URL + "/hook", "events": []string{"tracking_update"}})
	if status != 201 {
		t.Fatalf("create webhook: %d %v", status, body)
	}
	rc.secret = body["secret"].(string)

	acknowledged := map[string]bool{}
	tags := []string{"InTransit", "OutForDelivery", "AttemptFail"}
	rng := rand.New(rand.NewPCG(1, 2))
	step := 0
	client := &http.Client{Timeout: 5 * time.Second}
	for kill := 0; kill < kills; kill++ {
		stop := time.Now().Add(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		for time.Now().Before(stop) {
			step++
			payload, _ := json.Marshal(map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("CRASH%03d", step%10),
				"checkpoints": []map[string]any{{"checkpoint_time": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(step) * time.Minute).Format(time.RFC3339),
					"message": fmt.Sprintf("scan %d", step), "tag": tags[step%len(tags)]}}})
			req, _ := http.NewRequest("POST", p.URL+"/v1/checkpoints", bytes.NewReader(payload))
			req.Header.Set("as-api-key", key)
			res, err := client.Do(req)
			if err != nil {
				continue
			}
			var out struct {
				Events []string `json:"events"`
			}
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if res.StatusCode/100 == 2 {
				for _, id := range out.Events {
					acknowledged[id] = true
				}
			}
		}
		p.kill(t)
		p = p.restart(t)
	}

	deadline := time.Now().Add(180 * time.Second)
	for len(rc.missing(acknowledged)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	missing := rc.missing(acknowledged)
	rc.mu.Lock()
	deliveries, dupes := 0, 0
	for _, n := range rc.got {
		deliveries += n
		if n > 1 {
			dupes += n - 1
		}
	}
	bad := rc.bad
	rc.mu.Unlock()
	t.Logf("%s: %d kills, %d acknowledged events, %d deliveries received, %d duplicates (same event id), %d missing",
		engine, kills, len(acknowledged), deliveries, dupes, len(missing))
	if len(acknowledged) == 0 {
		t.Fatal("no push was acknowledged: the test proved nothing")
	}
	if len(missing) > 0 {
		t.Errorf("%d acknowledged events never arrived, e.g. %s", len(missing), missing[0])
		explainMissing(t, dbURL, missing)
		t.Logf("last process's log:\n%s", grepLines(p.stderr.String(), "escu", "eader", "rror"))
	}
	if len(bad) > 0 {
		t.Errorf("%d bad deliveries, e.g. %s", len(bad), bad[0])
	}
}

// explainMissing logs where the first missing events' deliveries stand.
func explainMissing(t *testing.T, dbURL string, missing []string) {
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Logf("open store: %v", err)
		return
	}
	defer st.Close()
	db := st.Writer()
	for _, id := range missing[:min(len(missing), 5)] {
		var delID, attempts int64
		var status string
		err := db.QueryRow(`SELECT d.id, d.status, d.attempts FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.public_id = $1`, id).Scan(&delID, &status, &attempts)
		if err != nil {
			t.Logf("event %s: no delivery: %v", id, err)
			continue
		}
		t.Logf("event %s: delivery %d is %s after %d attempts", id, delID, status, attempts)
	}
	rows, err := db.Query(`SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state`)
	if err != nil {
		t.Logf("jobs: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int
		_ = rows.Scan(&kind, &state, &n)
		t.Logf("jobs: %s %s: %d", kind, state, n)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func grepLines(s string, words ...string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return tail(strings.Join(out, "\n"), 6000)
}
