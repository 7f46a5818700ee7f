package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Request builds the n-th request of a run (n counts from 0, and each n is
// used once), so that requests can differ: a unique tracking number, a
// random id from a pool. It is called from several goroutines at once.
type Request func(n int64) (*http.Request, error)

// Options configure a run.
type Options struct {
	// Concurrency is the number of workers: in closed loop each sends back
	// to back; in open loop it bounds the requests in flight. Default 1.
	Concurrency int
	// Duration bounds the time during which requests are started; requests
	// in flight at the end are waited for. Required unless MaxRequests is set.
	Duration time.Duration
	// MaxRequests stops the run after this many requests; 0 for no limit.
	MaxRequests int64
	// Rate, when positive, makes the run open-loop: requests are scheduled
	// at this many per second, and latency counts from the scheduled time.
	Rate float64
	// Expect is the status that counts as success; 0 means any 2xx.
	Expect int
}

// Result is what a run measured. Latency holds the successful requests only:
// an error answered quickly would otherwise flatter the percentiles.
type Result struct {
	Requests         int64         // requests answered or failed
	Errors           int64         // UnexpectedStatus + TransportErrors
	UnexpectedStatus int64         // answered with a status other than the expected one
	TransportErrors  int64         // no answer: refused, reset, timed out
	FirstErr         string        // the first error, to say what went wrong
	Missed           int64         // open loop: scheduled within Duration but never sent, all workers busy
	Elapsed          time.Duration // from the first request's start to the last one's end
	Latency          Histogram
}

// Throughput is successful requests per second of Elapsed.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
}

// String is a one-line summary.
func (r *Result) String() string {
	s := fmt.Sprintf("requests=%d errors=%d elapsed=%s req/s=%.0f p50=%s p90=%s p99=%s max=%s",
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond), r.Throughput(),
		round(r.Latency.Percentile(50)), round(r.Latency.Percentile(90)), round(r.Latency.Percentile(99)), round(r.Latency.Max()))
	if r.Missed > 0 {
		s += fmt.Sprintf(" missed=%d", r.Missed)
	}
	return s
}

func round(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// Summary is a Result in a form for JSON, durations in milliseconds.
type Summary struct {
	Requests         int64   `json:"requests"`
	Errors           int64   `json:"errors"`
	UnexpectedStatus int64   `json:"unexpected_status"`
	TransportErrors  int64   `json:"transport_errors"`
	FirstError       string  `json:"first_error,omitempty"`
	Missed           int64   `json:"missed"`
	ElapsedSeconds   float64 `json:"elapsed_s"`
	Throughput       float64 `json:"req_per_s"`
	P50              float64 `json:"p50_ms"`
	P90              float64 `json:"p90_ms"`
	P99              float64 `json:"p99_ms"`
	Max              float64 `json:"max_ms"`
	Mean             float64 `json:"mean_ms"`
}

// Summary returns the figures of r.
func (r *Result) Summary() Summary {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Summary{
		Requests: r.Requests, Errors: r.Errors, UnexpectedStatus: r.UnexpectedStatus, TransportErrors: r.TransportErrors,
		FirstError: r.FirstErr, Missed: r.Missed, ElapsedSeconds: r.Elapsed.Seconds(), Throughput: r.Throughput(),
		P50: ms(r.Latency.Percentile(50)), P90: ms(r.Latency.Percentile(90)), P99: ms(r.Latency.Percentile(99)),
		Max: ms(r.Latency.Max()), Mean: ms(r.Latency.Mean()),
	}
}

// errStatus marks an answer with an unexpected status.
type errStatus struct{ got int }

func (e errStatus) Error() string { return fmt.Sprintf("unexpected status %d", e.got) }

// tally is what a group of workers measured, merged into the Result at the
// end. Workers are spread over a few tallies, one per CPU or so, so that
// they rarely wait for each other's lock, and a run with thousands of
// workers does not hold thousands of histograms.
type tally struct {
	mu                              sync.Mutex
	requests, unexpected, transport int64
	firstErr                        error
	latency                         Histogram
}

func newTallies(workers int) []tally {
	return make([]tally, min(workers, 4*runtime.GOMAXPROCS(0)))
}

func (t *tally) send(ctx context.Context, client *http.Client, build Request, expect int, n int64, start time.Time) {
	err := do(ctx, client, build, expect, n)
	end := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	if err == nil {
		t.latency.Record(end.Sub(start))
		return
	}
	if _, ok := errors.AsType[errStatus](err); ok {
		t.unexpected++
	} else {
		t.transport++
	}
	if t.firstErr == nil {
		t.firstErr = err
	}
}

func do(ctx context.Context, client *http.Client, build Request, expect int, n int64) error {
	req, err := build(n)
	if err != nil {
		return fmt.Errorf("build request %d: %w", n, err)
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	// Read the whole body, so the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if (expect != 0 && resp.StatusCode != expect) || (expect == 0 && resp.StatusCode/100 != 2) {
		return errStatus{resp.StatusCode}
	}
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	return nil
}

// Run sends the requests build makes with client, closed-loop or open-loop
// as o.Rate says, until o.Duration has passed, o.MaxRequests have been
// started, or ctx is done; it then waits for the requests in flight (which
// ctx also cancels) and returns what it measured. Run never fails: errors
// are counted in the Result.
func Run(ctx context.Context, client *http.Client, build Request, o Options) *Result {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	start := time.Now()
	var deadline time.Time
	if o.Duration > 0 {
		deadline = start.Add(o.Duration)
	}
	stop, cancel := context.WithCancel(ctx)
	if !deadline.IsZero() {
		stop, cancel = context.WithDeadline(ctx, deadline)
	}
	defer cancel()

	tallies := newTallies(o.Concurrency)
	var missed int64
	if o.Rate > 0 {
		missed = openLoop(ctx, stop, client, build, o, start, tallies)
	} else {
		closedLoop(ctx, stop, client, build, o, tallies)
	}
	res := &Result{Elapsed: time.Since(start), Missed: missed}
	for i := range tallies {
		w := &tallies[i]
		res.Requests += w.requests
		res.UnexpectedStatus += w.unexpected
		res.TransportErrors += w.transport
		if res.FirstErr == "" && w.firstErr != nil {
			res.FirstErr = w.firstErr.Error()
		}
		res.Latency.Merge(&w.latency)
	}
	res.Errors = res.UnexpectedStatus + res.TransportErrors
	return res
}

// closedLoop runs one goroutine per worker, each sending back to back.
func closedLoop(ctx, stop context.Context, client *http.Client, build Request, o Options, tallies []tally) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range o.Concurrency {
		w := &tallies[i%len(tallies)]
		wg.Go(func() {
			for stop.Err() == nil {
				n := next.Add(1) - 1
				if o.MaxRequests > 0 && n >= o.MaxRequests {
					return
				}
				w.send(ctx, client, build, o.Expect, n, time.Now())
			}
		})
	}
	wg.Wait()
}

type ticket struct {
	n         int64
	scheduled time.Time
}

// openLoop schedules request n at start + n/rate and hands it to the next
// free worker; the latency counts from the scheduled time, so time spent
// waiting for a free worker is charged to the server that kept them busy.
// It returns how many scheduled requests were never sent because every
// worker was still busy when the run ended.
func openLoop(ctx, stop context.Context, client *http.Client, build Request, o Options, start time.Time, tallies []tally) (missed int64) {
	tickets := make(chan ticket, o.Concurrency)
	var wg sync.WaitGroup
	for i := range o.Concurrency {
		w := &tallies[i%len(tallies)]
		wg.Go(func() {
			for t := range tickets {
				w.send(ctx, client, build, o.Expect, t.n, t.scheduled)
			}
		})
	}
	interval := float64(time.Second) / o.Rate
	timer := time.NewTimer(0)
	defer timer.Stop()
	var n int64
	for ; o.MaxRequests == 0 || n < o.MaxRequests; n++ {
		at := start.Add(time.Duration(float64(n) * interval))
		if o.Duration > 0 && !at.Before(start.Add(o.Duration)) {
			break
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-stop.Done():
			}
		}
		if stop.Err() != nil {
			break
		}
		select {
		case tickets <- ticket{n, at}:
			continue
		case <-stop.Done():
		}
		break
	}
	close(tickets)
	wg.Wait()
	if ctx.Err() == nil && o.Duration > 0 {
		// Count what the schedule held and nobody sent.
		planned := int64(math.Ceil(o.Duration.Seconds() * o.Rate))
		if o.MaxRequests > 0 {
			planned = min(planned, o.MaxRequests)
		}
		missed = max(planned-n, 0)
	}
	return missed
}

// NewClient returns an HTTP client that keeps a connection alive for each
// of concurrency workers, so that a run measures requests, not handshakes.
func NewClient(concurrency int) *http.Client {
	concurrency = max(concurrency, 1)
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}
