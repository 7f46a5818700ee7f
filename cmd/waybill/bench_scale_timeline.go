package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// callTimeline records when each HTTP call of `waybill bench scale` started
// and how long it took (to its last byte, as loadgen times it), so that a
// slow call can be set beside what the server did at that moment (its
// collector's log, its checkpoints, its background work): the p99 of 100
// calls is a single call.
type callTimeline struct {
	next http.RoundTripper
	mu   sync.Mutex
	op   string
	out  *json.Encoder
}

// timedCall is one line of the timeline: the call kind, its start (Unix
// microseconds, to set beside other clocks of the machine) and its
// duration in milliseconds.
type timedCall struct {
	Op      string  `json:"op"`
	StartUs int64   `json:"start_us"`
	Ms      float64 `json:"ms"`
	Status  int     `json:"status"`
}

func newCallTimeline(next http.RoundTripper, w io.Writer) *callTimeline {
	return &callTimeline{next: next, out: json.NewEncoder(w)}
}

// setOp names the calls that follow (the kinds run one after another).
// On a nil timeline it does nothing, as record does.
func (c *callTimeline) setOp(op string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.op = op
	c.mu.Unlock()
}

// RoundTrip sends req and records it once its body is closed.
func (c *callTimeline) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		c.record(start, 0)
		return nil, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { c.record(start, resp.StatusCode) }}
	return resp, nil
}

func (c *callTimeline) record(start time.Time, status int) {
	if c == nil {
		return
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.out.Encode(timedCall{Op: c.op, StartUs: start.UnixMicro(), Ms: ms, Status: status})
}

// timedBody calls done once, when the body is closed.
type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
