package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestNotifyBench measures customer notifications end to end through
// `waybill serve`: N trackings each get one status change by the checkpoint
// push API, and each change sends one email to an SMTP server on loopback.
// It reports messages per second (first push to last mail) and the delay
// from the push of a status change to the arrival of its email, p50 and
// p99. Run with WAYBILL_BENCH_NOTIFY=N (e.g. 1000); it is skipped otherwise.
func TestNotifyBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("WAYBILL_BENCH_NOTIFY"))
	if n <= 0 {
		t.Skip("set WAYBILL_BENCH_NOTIFY=N to run the notification benchmark")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { notifyBench(t, engine, n) })
	}
}

func notifyBench(t *testing.T, engine string, n int) {
	const key = "wb_test_bootstrap_key_0001"
	mail := notifytest.StartSMTP(t)
	p := startServe(t, testdb.URL(t, engine), "WAYBILL_LOG_LEVEL=warn", "WAYBILL_RATE_LIMIT_SCALE=0", "WAYBILL_RATE_LIMIT_V4=100000",
		fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Bench Store <notify@bench.example>")
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path, header string, body any) int {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", p.URL+path, bytes.NewReader(data))
		req.Header.Set(header, key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	parallel := func(f func(i int)) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					f(i)
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	parallel(func(i int) {
		if s := post("/v4/trackings", "aftership-api-key", map[string]any{"tracking": map[string]any{"slug": "dhl",
			"tracking_number": fmt.Sprintf("NBENCH%06d", i), "emails": []string{fmt.Sprintf("b%06d@example.org", i)}}}); s != 201 {
			t.Fatalf("create tracking %d: %d", i, s)
		}
	})

	// WAYBILL_BENCH_NOTIFY_RATE paces the pushes (changes per second), to
	// measure the delay of a change that does not wait behind a backlog.
	rate, _ := strconv.ParseFloat(os.Getenv("WAYBILL_BENCH_NOTIFY_RATE"), 64)
	pushed := make([]time.Time, n)
	start := time.Now()
	parallel(func(i int) {
		if rate > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
		}
		pushed[i] = time.Now()
		if s := post("/v1/checkpoints", "as-api-key", map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("NBENCH%06d", i),
			"checkpoints": []map[string]any{{"checkpoint_time": "2026-07-01T10:00:00Z", "message": "Departed hub", "tag": "InTransit"}}}); s/100 != 2 {
			t.Fatalf("push %d: %d", i, s)
		}
	})
	pushDone := time.Since(start)
	mails := mail.WaitFor(n, 10*time.Minute)
	if len(mails) < n {
		t.Fatalf("%d of %d mails arrived", len(mails), n)
	}
	if path := os.Getenv("WAYBILL_NOTIFY_SAMPLE"); path != "" {
		_ = os.WriteFile(path, mails[0].Raw, 0o644) // one message as sent, for the README
	}
	var delays []time.Duration
	var last time.Time
	for _, m := range mails {
		var i int
		if _, err := fmt.Sscanf(m.To[0], "b%06d@example.org", &i); err != nil || i >= n {
			t.Fatalf("unexpected recipient %v", m.To)
		}
		delays = append(delays, m.Received.Sub(pushed[i]))
		if m.Received.After(last) {
			last = m.Received
		}
	}
	slices.Sort(delays)
	pct := func(q float64) time.Duration { return delays[int(q*float64(len(delays)-1))].Round(time.Millisecond) }
	perSecond := float64(n) / last.Sub(start).Seconds()
	summary := fmt.Sprintf("%s: %d status changes pushed in %.1fs; %d emails in %.1fs = %.0f messages/s; push -> email p50 %v, p99 %v, max %v",
		engine, n, pushDone.Seconds(), len(mails), last.Sub(start).Seconds(), perSecond, pct(0.50), pct(0.99), delays[len(delays)-1].Round(time.Millisecond))
	t.Log(summary)
	if path := os.Getenv("WAYBILL_NOTIFY_BENCH_REPORT"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, summary)
			f.Close()
		}
	}
}
