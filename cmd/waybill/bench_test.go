package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// benchJSON runs `waybill bench args... --json` and decodes its report.
func benchJSON(t *testing.T, args ...string) benchReport {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runBench(t.Context(), append(args, "--json"), &stdout, &stderr); err != nil {
		t.Fatalf("bench %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var r benchReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("bench %s printed %q: %v", strings.Join(args, " "), stdout.String(), err)
	}
	return r
}

// startBaseline runs `waybill bench baseline` until the test ends and
// returns its URL.
func startBaseline(t *testing.T) string {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runBench(ctx, []string{"baseline", "--addr-file", addrFile}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("baseline stopped with %v, want nil", err)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if addr, err := os.ReadFile(addrFile); err == nil && len(addr) > 0 {
			return "http://" + string(addr)
		}
	}
	t.Fatal("baseline did not write its address")
	return ""
}

func TestBenchHTTPAgainstBaseline(t *testing.T) {
	t.Parallel()
	url := startBaseline(t)

	r := benchJSON(t, "http", "--url", url+"/x/{{n}}", "--method", "POST", "--header", "Content-Type: application/json",
		"--body-template", `{"n":{{n}}}`, "--concurrency", "4", "--requests", "300", "--duration", "1m", "--expect", "200")
	if r.Requests != 300 || r.Errors != 0 || r.Throughput <= 0 || r.P99 <= 0 || r.Concurrency != 4 {
		t.Errorf("closed loop: %+v; want 300 requests, no errors, a throughput and a p99", r)
	}

	// The baseline answers 200, so expecting 201 makes every answer an error.
	r = benchJSON(t, "http", "--url", url, "--concurrency", "2", "--requests", "50", "--expect", "201")
	if r.Requests != 50 || r.UnexpectedStatus != 50 || !strings.Contains(r.FirstError, "200") {
		t.Errorf("unexpected statuses: %+v; want 50 requests, all unexpected", r)
	}

	// Open loop: 100/s for 1s schedules 100 requests.
	r = benchJSON(t, "http", "--url", url, "--rate", "100", "--duration", "1s", "--concurrency", "8")
	if r.Requests+r.Missed != 100 || r.Errors != 0 || r.Rate != 100 {
		t.Errorf("open loop: %+v; want 100 scheduled, no errors", r)
	}
}

func TestBenchOneLineSummary(t *testing.T) {
	t.Parallel()
	url := startBaseline(t)
	var stdout bytes.Buffer
	if err := runBench(t.Context(), []string{"http", "--url", url, "--requests", "10", "--concurrency", "1"}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	line := stdout.String()
	for _, want := range []string{"GET " + url, "concurrency=1", "requests=10", "errors=0", "req/s=", "p50=", "p99="} {
		if !strings.Contains(line, want) {
			t.Errorf("summary %q lacks %q", line, want)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("summary %q is not one line", line)
	}
}

func TestBenchRejectsBadArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"nope"},
		{"http"},                            // no --url
		{"http", "--url", "127.0.0.1:8080"}, // no scheme
		{"http", "--url", "http://x", "--header", "no colon"},
		{"http", "--url", "http://x", "--concurrency", "0"},
		{"http", "--url", "http://x", "extra"},
		{"aftership", "--url", "http://x"}, // no --key
		{"aftership", "--url", "http://x", "--key", "k", "--op", "delete"},
	} {
		if err := runBench(t.Context(), args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("bench %q: no error", args)
		}
	}
}

// TestBenchAfterShip runs both v4 loads against a real `waybill serve`
// process, with the v4 rate limit off as the benchmark script sets it.
func TestBenchAfterShip(t *testing.T) {
	t.Parallel()
	p := startServe(t, testdb.URL(t, store.SQLite), "WAYBILL_RATE_LIMIT_V4=0", "WAYBILL_RATE_LIMIT_SCALE=0", "WAYBILL_LOG_LEVEL=warn")
	const key = "wb_test_bootstrap_key_0001"

	r := benchJSON(t, "aftership", "--url", p.URL, "--key", key, "--op", "create", "--concurrency", "4", "--requests", "40", "--duration", "1m")
	if r.Requests != 40 || r.Errors != 0 {
		t.Fatalf("create: %+v; want 40 requests without errors", r)
	}
	status, out := p.call(t, "GET", "/v4/trackings?limit=200", key, nil)
	data, _ := out["data"].(map[string]any)
	if list, _ := data["trackings"].([]any); status != 200 || len(list) != 40 {
		t.Errorf("after create: GET /v4/trackings = %d with %d trackings, want 40 distinct ones", status, len(list))
	}

	r = benchJSON(t, "aftership", "--url", p.URL, "--key", key, "--op", "get", "--pool", "10", "--concurrency", "4", "--requests", "100", "--duration", "1m")
	if r.Requests != 100 || r.Errors != 0 {
		t.Errorf("get: %+v; want 100 requests without errors", r)
	}

	r = benchJSON(t, "aftership", "--url", p.URL, "--key", "wrong_key_wrong_key_0000", "--op", "create", "--requests", "5", "--concurrency", "1")
	if r.UnexpectedStatus != 5 {
		t.Errorf("create with a wrong key: %+v; want every answer unexpected", r)
	}
}
