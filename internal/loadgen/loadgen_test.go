package loadgen_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/loadgen"
)

// recorder is a real HTTP server that remembers the bodies it received and
// answers every tenth request with 500.
type recorder struct {
	mu     sync.Mutex
	bodies map[string]int
	paths  map[string]int
}

func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	rec := &recorder{bodies: map[string]int{}, paths: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies[string(b)]++
		rec.paths[r.URL.Path]++
		rec.mu.Unlock()
		if r.Header.Get("X-Fail") == "tenth" {
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/n/"))
			if n%10 == 9 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func (r *recorder) counts() (requests, distinctBodies int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.bodies {
		requests += c
	}
	return requests, len(r.bodies)
}

func TestClosedLoopCountsMatch(t *testing.T) {
	t.Parallel()
	rec, srv := newRecorder(t)
	h := http.Header{"Content-Type": {"application/json"}}
	res := loadgen.Run(t.Context(), loadgen.NewClient(8),
		loadgen.Template("POST", srv.URL+"/n/{{n}}", h, `{"tracking_number":"WB{{n}}"}`),
		loadgen.Options{Concurrency: 8, MaxRequests: 500, Duration: time.Minute, Expect: 201})

	got, distinct := rec.counts()
	if res.Requests != 500 || got != 500 {
		t.Fatalf("sent %d, server saw %d; want 500 each", res.Requests, got)
	}
	if distinct != 500 {
		t.Errorf("server saw %d distinct bodies, want 500 (one per request number)", distinct)
	}
	if res.Errors != 0 || res.Latency.Count() != 500 {
		t.Errorf("errors=%d recorded=%d (%s); want 0 and 500", res.Errors, res.Latency.Count(), res.FirstErr)
	}
	if res.Throughput() <= 0 || res.Latency.Percentile(99) <= 0 {
		t.Errorf("no throughput or latency measured: %s", res)
	}
}

func TestUnexpectedStatusIsAnError(t *testing.T) {
	t.Parallel()
	_, srv := newRecorder(t)
	h := http.Header{"X-Fail": {"tenth"}}
	res := loadgen.Run(t.Context(), loadgen.NewClient(4), loadgen.Template("GET", srv.URL+"/n/{{n}}", h, ""),
		loadgen.Options{Concurrency: 4, MaxRequests: 200, Duration: time.Minute, Expect: 201})
	if res.Requests != 200 || res.UnexpectedStatus != 20 || res.Errors != 20 || res.TransportErrors != 0 {
		t.Fatalf("requests=%d unexpected=%d transport=%d; want 200, 20, 0", res.Requests, res.UnexpectedStatus, res.TransportErrors)
	}
	if res.Latency.Count() != 180 {
		t.Errorf("recorded %d latencies, want the 180 successes only", res.Latency.Count())
	}
	if !strings.Contains(res.FirstErr, "500") {
		t.Errorf("FirstError = %q, want it to name the status", res.FirstErr)
	}

	// Expect 0 means any 2xx.
	res = loadgen.Run(t.Context(), loadgen.NewClient(1), loadgen.Template("GET", srv.URL+"/n/{{n}}", nil, ""),
		loadgen.Options{MaxRequests: 10, Duration: time.Minute})
	if res.Errors != 0 || res.Requests != 10 {
		t.Errorf("with any 2xx: requests=%d errors=%d, want 10 and 0", res.Requests, res.Errors)
	}
}

func TestTransportErrorsAreCounted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	res := loadgen.Run(t.Context(), loadgen.NewClient(2), loadgen.Template("GET", url, nil, ""),
		loadgen.Options{Concurrency: 2, MaxRequests: 20, Duration: time.Minute})
	if res.Requests != 20 || res.TransportErrors != 20 || res.Errors != 20 || res.Latency.Count() != 0 {
		t.Errorf("requests=%d transport=%d errors=%d recorded=%d; want 20, 20, 20, 0",
			res.Requests, res.TransportErrors, res.Errors, res.Latency.Count())
	}
	if res.Throughput() != 0 {
		t.Errorf("Throughput = %v with only failures, want 0", res.Throughput())
	}
}

func TestOpenLoopSendsTheScheduledCount(t *testing.T) {
	t.Parallel()
	rec, srv := newRecorder(t)
	// 200/s for 1s is 200 scheduled requests; a fast server takes them all.
	res := loadgen.Run(t.Context(), loadgen.NewClient(16), loadgen.Template("POST", srv.URL+"/n/{{n}}", nil, "{{n}}"),
		loadgen.Options{Concurrency: 16, Rate: 200, Duration: time.Second, Expect: 201})
	got, distinct := rec.counts()
	if res.Requests+res.Missed != 200 {
		t.Fatalf("sent %d + missed %d, want 200 scheduled", res.Requests, res.Missed)
	}
	if int64(got) != res.Requests || distinct != got {
		t.Errorf("server saw %d requests (%d distinct), generator counted %d", got, distinct, res.Requests)
	}
	// Allow for a slow CI machine, but most of the schedule must go out.
	if res.Requests < 150 {
		t.Errorf("sent only %d of 200 scheduled requests", res.Requests)
	}
}

func TestOpenLoopChargesQueueingToTheServer(t *testing.T) {
	t.Parallel()
	// One worker, a server that takes 20ms, and a schedule of one request
	// every 1ms: requests queue behind each other. Measured from their
	// scheduled time, later requests wait longer than the service time, and
	// the requests the worker never got to are reported as missed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	t.Cleanup(srv.Close)
	res := loadgen.Run(t.Context(), loadgen.NewClient(1), loadgen.Template("GET", srv.URL, nil, ""),
		loadgen.Options{Concurrency: 1, Rate: 1000, Duration: 200 * time.Millisecond})
	if res.Requests+res.Missed != 200 || res.Missed == 0 {
		t.Fatalf("requests=%d missed=%d; want some missed, 200 in all", res.Requests, res.Missed)
	}
	if res.Latency.Max() <= 2*res.Latency.Min() {
		t.Errorf("max %v is not well above min %v: queueing time was not charged", res.Latency.Max(), res.Latency.Min())
	}
}

func TestRunStopsAtDurationAndOnCancel(t *testing.T) {
	t.Parallel()
	_, srv := newRecorder(t)
	res := loadgen.Run(t.Context(), loadgen.NewClient(2), loadgen.Template("GET", srv.URL, nil, ""),
		loadgen.Options{Concurrency: 2, Duration: 100 * time.Millisecond})
	if res.Requests == 0 || res.Errors != 0 {
		t.Errorf("a duration-bound run: requests=%d errors=%d (%s)", res.Requests, res.Errors, res.FirstErr)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res = loadgen.Run(ctx, loadgen.NewClient(2), loadgen.Template("GET", srv.URL, nil, ""),
		loadgen.Options{Concurrency: 2, Duration: time.Hour, Rate: 10})
	if res.Requests != 0 || res.Missed != 0 {
		t.Errorf("a cancelled run sent %d and missed %d, want nothing", res.Requests, res.Missed)
	}
}

func TestTemplateReplacesPlaceholders(t *testing.T) {
	t.Parallel()
	h := http.Header{"Aftership-Api-Key": {"k"}}
	build := loadgen.Template("POST", "http://127.0.0.1/x/{{n}}", h, `{"a":"WB{{n}}","b":"{{n}}"}`)
	r, err := build(42)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path != "/x/42" || string(body) != `{"a":"WB42","b":"42"}` || r.Header.Get("aftership-api-key") != "k" {
		t.Errorf("got %s %s %q, want /x/42 with both numbers replaced and the header", r.Method, r.URL.Path, body)
	}
	r.Header.Set("Aftership-Api-Key", "changed")
	if h.Get("Aftership-Api-Key") != "k" {
		t.Error("a request's headers are shared with the template")
	}
}
