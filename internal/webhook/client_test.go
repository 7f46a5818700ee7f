package webhook

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// countingTransport wraps the client's transport to count the response
// bytes the client reads.
type countingTransport struct {
	next http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(r)
	if res != nil {
		res.Body = countingBody{res.Body, &c.read}
	}
	return res, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// receiver is a loopback endpoint that records what it was sent.
type receiver struct {
	*httptest.Server
	hits atomic.Int32
	last atomic.Pointer[http.Request]
	body atomic.Pointer[[]byte]
}

func newReceiver(t *testing.T, h http.HandlerFunc) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		rc.last.Store(r)
		rc.body.Store(&b)
		h(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func TestDeliverFaultMatrix(t *testing.T) {
	t.Parallel()
	redirectTarget := newReceiver(t, func(http.ResponseWriter, *http.Request) {})
	retryAt := time.Now().Add(time.Hour).UTC()

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + closed.Addr().String() + "/hook"
	closed.Close()

	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc // nil: refusedURL
		timeout time.Duration    // TotalTimeout; 30 s when 0
		check   func(t *testing.T, r Result, read int64)
	}{
		{
			name:    "200",
			handler: func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"ok":true}`) },
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeSuccess || r.StatusCode != 200 || r.ResponseExcerpt != `{"ok":true}` || r.Err != nil {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name:    "204",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) },
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeSuccess || r.StatusCode != 204 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name:    "refused connection",
			handler: nil,
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 0 || !errors.Is(r.Err, syscall.ECONNREFUSED) {
					t.Errorf("got %+v, want ECONNREFUSED", r)
				}
			},
		},
		{
			name: "slow past the timeout",
			handler: func(_ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // until the client gives up
			},
			timeout: 300 * time.Millisecond,
			check: func(t *testing.T, r Result, _ int64) {
				var ne net.Error
				if r.Outcome != OutcomeRetry || r.StatusCode != 0 || !errors.As(r.Err, &ne) || !ne.Timeout() {
					t.Errorf("got %+v, want a timeout", r)
				}
			},
		},
		{
			name: "500",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(500)
				_, _ = io.WriteString(w, "database on fire")
			},
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 500 || r.ResponseExcerpt != "database on fire" || r.Err != nil {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "429 Retry-After seconds",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(429)
			},
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 429 || r.RetryAfter != 120*time.Second {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "429 Retry-After HTTP date",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", retryAt.Format(http.TimeFormat))
				w.WriteHeader(429)
			},
			check: func(t *testing.T, r Result, _ int64) {
				// An hour from when the case table was built: generous bounds.
				if r.Outcome != OutcomeRetry || r.StatusCode != 429 || r.RetryAfter < 30*time.Minute || r.RetryAfter > time.Hour {
					t.Errorf("got %+v, want about an hour", r)
				}
			},
		},
		{
			name:    "410 Gone",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(410) },
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeGone || r.StatusCode != 410 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name:    "404",
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) },
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 404 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "302 redirect",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectTarget.URL+"/stolen", http.StatusFound)
			},
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 302 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "307 redirect",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectTarget.URL+"/stolen", http.StatusTemporaryRedirect)
			},
			check: func(t *testing.T, r Result, _ int64) {
				if r.Outcome != OutcomeRetry || r.StatusCode != 307 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name: "10 MiB body",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				chunk := []byte(strings.Repeat("é", 32<<10)) // 64 KiB of 2-byte runes
				for range 160 {
					if _, err := w.Write(chunk); err != nil {
						return // the client hung up, as it should
					}
				}
			},
			check: func(t *testing.T, r Result, read int64) {
				if r.Outcome != OutcomeSuccess || r.Err != nil {
					t.Errorf("got %+v", r)
				}
				if read > DefaultMaxResponseBytes+32<<10 { // one read buffer of slack
					t.Errorf("client read %d bytes of a 10 MiB body, want about %d", read, DefaultMaxResponseBytes)
				}
				if len(r.ResponseExcerpt) > excerptBytes || len(r.ResponseExcerpt) < excerptBytes-3 || !utf8.ValidString(r.ResponseExcerpt) {
					t.Errorf("excerpt: %d bytes, valid UTF-8 %v", len(r.ResponseExcerpt), utf8.ValidString(r.ResponseExcerpt))
				}
			},
		},
		{
			name: "endless body",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				chunk := []byte(strings.Repeat("x", 64<<10))
				for {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
			// A client that read to the end would hit the 30 s timeout and
			// report an error; a bounded read succeeds.
			check: func(t *testing.T, r Result, read int64) {
				if r.Outcome != OutcomeSuccess || r.Err != nil || read > DefaultMaxResponseBytes+64<<10 {
					t.Errorf("got %+v after reading %d bytes", r, read)
				}
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := refusedURL
			var rc *receiver
			if tt.handler != nil {
				rc = newReceiver(t, tt.handler)
				url = rc.URL + "/hook"
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 30 * time.Second
			}
			c := NewClient(ClientOptions{AllowPrivate: true, TotalTimeout: timeout})
			ct := &countingTransport{next: c.http.Transport}
			c.http.Transport = ct
			defer c.CloseIdleConnections()

			r := c.Deliver(context.Background(), url, http.Header{"X-Test": {tt.name}}, []byte(`{"event":"tracking_update"}`))
			tt.check(t, r, ct.read.Load())
			if r.Latency <= 0 && r.Err == nil {
				t.Errorf("latency %v not measured", r.Latency)
			}
			if rc != nil && rc.hits.Load() != 1 {
				t.Errorf("receiver got %d requests, want 1 (no retry inside Deliver)", rc.hits.Load())
			}
		})
	}
	t.Cleanup(func() {
		if n := redirectTarget.hits.Load(); n != 0 {
			t.Errorf("the redirect target received %d requests; redirects must not be followed", n)
		}
	})
}

func TestDeliverRequest(t *testing.T) {
	t.Parallel()
	secret, _ := NewSecret()
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	body := []byte(`{"event":"tracking_update","event_id":"evt_1"}`)
	now := time.Now()
	h := http.Header{"Content-Type": {"text/plain"}}
	if err := Sign(h, "evt_1", now, body, []string{secret}); err != nil {
		t.Fatal(err)
	}
	c := NewClient(ClientOptions{AllowPrivate: true, UserAgent: "Waybill-Test/1"})
	defer c.CloseIdleConnections()
	if r := c.Deliver(context.Background(), rc.URL+"/hook?token=abc", h, body); r.Outcome != OutcomeSuccess {
		t.Fatalf("got %+v", r)
	}
	req, got := rc.last.Load(), *rc.body.Load()
	if req.Method != http.MethodPost || req.URL.RequestURI() != "/hook?token=abc" || string(got) != string(body) {
		t.Errorf("receiver got %s %s %q", req.Method, req.URL.RequestURI(), got)
	}
	if ct, ua := req.Header.Get("Content-Type"), req.Header.Get("User-Agent"); ct != "application/json" || ua != "Waybill-Test/1" {
		t.Errorf("Content-Type %q, User-Agent %q", ct, ua)
	}
	// A receiver verifies what arrived, with either scheme.
	if err := VerifyStandard(secret, req.Header, got, time.Now(), 0); err != nil {
		t.Errorf("receiver's VerifyStandard: %v", err)
	}
	if err := VerifyAfterShip(secret, got, req.Header.Get("aftership-hmac-sha256")); err != nil {
		t.Errorf("receiver's VerifyAfterShip: %v", err)
	}
	if h.Get("Content-Type") != "text/plain" || h.Get("User-Agent") != "" {
		t.Error("Deliver changed the caller's headers")
	}
}

func TestDeliverCancelledAndMalformed(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	c := NewClient(ClientOptions{AllowPrivate: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := c.Deliver(ctx, rc.URL, nil, nil); r.Outcome != OutcomeRetry || !errors.Is(r.Err, context.Canceled) {
		t.Errorf("cancelled ctx: %+v", r)
	}
	for _, url := range []string{"", "::", "ftp://x/", "http://u:p@127.0.0.1/", "http:///x"} {
		if r := c.Deliver(context.Background(), url, nil, nil); r.Outcome != OutcomeRetry || r.Err == nil {
			t.Errorf("Deliver(%q) = %+v, want an error", url, r)
		}
	}
	if n := rc.hits.Load(); n != 0 {
		t.Errorf("receiver got %d requests", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 7 ", 7 * time.Second},
		{"-5", 0},
		{"+5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"86401", MaxRetryAfter},
		{"99999999999999999999999", MaxRetryAfter},
		{"Sun, 01 Mar 2026 12:10:00 GMT", 10 * time.Minute},
		{"Sunday, 01-Mar-26 12:10:00 GMT", 10 * time.Minute},
		{"Sun Mar  1 12:10:00 2026", 10 * time.Minute},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0},
		{"Fri, 01 Mar 2030 12:00:00 GMT", MaxRetryAfter},
	} {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		in   string
		want string
	}{
		{"short", "ok", "ok"},
		{"cut at 1 KiB", strings.Repeat("a", 2000), strings.Repeat("a", excerptBytes)},
		{"rune cut short at the end", strings.Repeat("a", excerptBytes-1) + "é", strings.Repeat("a", excerptBytes-1)},
		{"4-byte rune cut short", strings.Repeat("a", excerptBytes-2) + "😀", strings.Repeat("a", excerptBytes-2)},
		{"invalid bytes replaced", "a\xffb", "a\uFFFDb"},
		{"binary at the start keeps the rest", "\x00\xfe" + "text", "\x00\uFFFDtext"},
	} {
		if got := excerpt([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: excerpt = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[Outcome]string{OutcomeRetry: "retry", OutcomeSuccess: "success", OutcomeGone: "gone", Outcome(9): "Outcome(9)"} {
		if got := o.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(o), got, want)
		}
	}
}

func BenchmarkDeliver(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(204)
	}))
	defer srv.Close()
	secret, _ := NewSecret()
	body := []byte(strings.Repeat("x", 1<<10))
	c := NewClient(ClientOptions{AllowPrivate: true})
	defer c.CloseIdleConnections()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h := http.Header{}
			if err := Sign(h, "evt_1", time.Now(), body, []string{secret}); err != nil {
				b.Error(err)
				return
			}
			if r := c.Deliver(context.Background(), srv.URL, h, body); r.Outcome != OutcomeSuccess {
				b.Errorf("got %+v", r)
				return
			}
		}
	})
}
