package webhook

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDeliverFaultMatrix(t *testing.T) {
	var redirectTargetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { redirectTargetHits.Add(1) }))
	defer target.Close()
	release := make(chan struct{})

	handlers := map[string]http.HandlerFunc{
		"ok": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
		"500": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte("database on fire"))
		},
		"429-seconds": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(429)
		},
		"429-date": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(429)
		},
		"410": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(410) },
		"302": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target.URL, http.StatusFound) },
		"huge": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			chunk := []byte(strings.Repeat("x", 64<<10))
			for i := 0; i < 160; i++ { // 10 MiB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
	}
	servers := map[string]string{}
	for name, h := range handlers {
		s := httptest.NewServer(h)
		defer s.Close()
		servers[name] = s.URL
	}
	defer close(release) // runs before the servers close: frees the slow handler
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refusedURL := "http://" + closed.Addr().String()
	closed.Close()

	c := NewClient(ClientOptions{AllowPrivate: true, TotalTimeout: 500 * time.Millisecond, ConnectTimeout: 500 * time.Millisecond})
	deliver := func(url string) Result {
		return c.Deliver(context.Background(), url, http.Header{}, []byte(`{"event":"tracking_update"}`))
	}

	if r := deliver(servers["ok"]); r.Outcome != OutcomeSuccess || r.StatusCode != 204 {
		t.Errorf("204: %+v", r)
	}
	if r := deliver(servers["500"]); r.Outcome != OutcomeRetry || r.StatusCode != 500 || r.ResponseExcerpt != "database on fire" {
		t.Errorf("500: %+v", r)
	}
	if r := deliver(servers["429-seconds"]); r.Outcome != OutcomeRetry || r.RetryAfter != 120*time.Second {
		t.Errorf("429 seconds: %+v", r)
	}
	if r := deliver(servers["429-date"]); r.Outcome != OutcomeRetry || r.RetryAfter < 50*time.Minute || r.RetryAfter > time.Hour {
		t.Errorf("429 date: %+v", r)
	}
	if r := deliver(servers["410"]); r.Outcome != OutcomeGone {
		t.Errorf("410: %+v", r)
	}
	if r := deliver(servers["302"]); r.Outcome != OutcomeRetry || r.StatusCode != 302 || redirectTargetHits.Load() != 0 {
		t.Errorf("302: %+v, redirect target hit %d times", r, redirectTargetHits.Load())
	}
	if r := deliver(servers["huge"]); r.Outcome != OutcomeSuccess || len(r.ResponseExcerpt) != excerptBytes {
		t.Errorf("huge body: outcome %v, excerpt %d bytes", r.Outcome, len(r.ResponseExcerpt))
	}
	if r := deliver(servers["slow"]); r.Outcome != OutcomeRetry || r.Err == nil || r.StatusCode != 0 {
		t.Errorf("slow past the timeout: %+v", r)
	}
	if r := deliver(refusedURL); r.Outcome != OutcomeRetry || r.Err == nil {
		t.Errorf("connection refused: %+v", r)
	}
	// Without the operator's opt-in, loopback is refused before any request.
	strict := NewClient(ClientOptions{})
	if r := strict.Deliver(context.Background(), servers["ok"], http.Header{}, nil); r.Err == nil || r.StatusCode != 0 {
		t.Errorf("loopback without AllowPrivate: %+v", r)
	}
}

func TestRetrySchedule(t *testing.T) {
	var total time.Duration
	for _, d := range DefaultSchedule {
		total += d
	}
	if total < 3*24*time.Hour {
		t.Errorf("default schedule spans %v, want at least 3 days", total)
	}
	s, err := ParseSchedule("1s, 2s,4s")
	if err != nil || len(s) != 3 || s[2] != 4*time.Second {
		t.Fatalf("ParseSchedule: %v %v", s, err)
	}
	for _, bad := range []string{"", "1s,,2s", "soon", "-1s", "0s"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
	for _, tt := range []struct {
		attempt    int
		retryAfter time.Duration
		rnd        float64
		want       time.Duration
		ok         bool
	}{
		{1, 0, 0.5, time.Second, true},
		{1, 0, 0, 800 * time.Millisecond, true},
		{2, 0, 0.999999, 2399999 * time.Microsecond, true},
		{3, 10 * time.Second, 0.5, 10 * time.Second, true},
		{3, 48 * time.Hour, 0.5, 24 * time.Hour, true},
		{4, 0, 0.5, 0, false},
	} {
		got, ok := NextAttempt([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, tt.attempt, tt.retryAfter, func() float64 { return tt.rnd })
		if ok != tt.ok || (ok && (got-tt.want > time.Millisecond || tt.want-got > time.Millisecond)) {
			t.Errorf("NextAttempt(attempt %d, retry-after %v) = %v, %v; want %v, %v", tt.attempt, tt.retryAfter, got, ok, tt.want, tt.ok)
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if ShouldDisable(start, start.Add(4*24*time.Hour)) || !ShouldDisable(start, start.Add(5*24*time.Hour)) || ShouldDisable(time.Time{}, start) {
		t.Error("ShouldDisable does not disable after exactly 5 days of failure")
	}
}
