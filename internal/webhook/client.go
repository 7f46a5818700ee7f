package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of ClientOptions.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultTotalTimeout     = 15 * time.Second
	DefaultMaxResponseBytes = 64 << 10
	DefaultUserAgent        = "Waybill-Webhooks/1"
)

// excerptBytes is how much of a response body Result keeps.
const excerptBytes = 1 << 10

// maxHeaderBytes bounds the response headers a receiver can make us read.
const maxHeaderBytes = 64 << 10

// Outcome classifies a delivery attempt.
type Outcome int

// The outcomes of an attempt. The zero value is OutcomeRetry, so a Result
// that says nothing else is never mistaken for a success.
const (
	// OutcomeRetry: no response (refused, unreachable, timeout, SSRF
	// refusal) or any status other than 2xx and 410 (3xx, 429, 4xx, 5xx).
	OutcomeRetry Outcome = iota
	// OutcomeSuccess: a 2xx status.
	OutcomeSuccess
	// OutcomeGone: 410 Gone; the receiver asks us to stop, and the
	// endpoint must be disabled rather than retried.
	OutcomeGone
)

// String returns "retry", "success" or "gone".
func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeGone:
		return "gone"
	case OutcomeRetry:
		return "retry"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// ClientOptions configure a Client. Zero values take the defaults.
type ClientOptions struct {
	// ConnectTimeout bounds each TCP connect and the TLS handshake;
	// DefaultConnectTimeout (5 s) when <= 0.
	ConnectTimeout time.Duration
	// TotalTimeout bounds a whole attempt, from DNS to the last byte read;
	// DefaultTotalTimeout (15 s) when <= 0.
	TotalTimeout time.Duration
	// MaxResponseBytes is the most of a response body that is ever read;
	// DefaultMaxResponseBytes (64 KiB) when <= 0. A longer body is cut off
	// and its connection closed.
	MaxResponseBytes int64
	// AllowPrivate lets deliveries reach loopback, private, link-local and
	// other refused addresses (WAYBILL_WEBHOOK_ALLOW_PRIVATE=true, tests).
	AllowPrivate bool
	// UserAgent is sent with every attempt; DefaultUserAgent when empty.
	UserAgent string
	// Resolver looks up endpoint hosts; net.DefaultResolver when nil.
	Resolver Resolver
	// IdleConns is how many connections are kept alive between attempts,
	// to one host or in all; DefaultIdleConns when <= 0. Set it to the
	// number of attempts made at once (the webhook workers): endpoints that
	// share a host (one receiver for many endpoints, a SaaS inbox for many
	// organizations) then reuse connections instead of dialing for most
	// attempts.
	IdleConns int
}

// DefaultIdleConns is ClientOptions.IdleConns' default.
const DefaultIdleConns = 256

// Client makes webhook delivery attempts. It never follows redirects, never
// uses a proxy (one would bypass the address checks), dials through a
// Dialer, bounds connect and total time and the bytes read of a response,
// and keeps connections alive between attempts. It is safe for concurrent
// use; build one per process and share it.
type Client struct {
	http         *http.Client
	maxBody      int64
	userAgent    string
	allowPrivate bool
}

// NewClient returns a Client for o, with defaults for its zero fields.
func NewClient(o ClientOptions) *Client {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.TotalTimeout <= 0 {
		o.TotalTimeout = DefaultTotalTimeout
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.IdleConns <= 0 {
		o.IdleConns = DefaultIdleConns
	}
	dialer := &Dialer{
		Resolver:     o.Resolver,
		AllowPrivate: o.AllowPrivate,
		Net:          &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second},
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true, // a custom DialContext turns HTTP/2 off otherwise
		TLSHandshakeTimeout:    o.ConnectTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           o.IdleConns,
		MaxIdleConnsPerHost:    o.IdleConns,
		IdleConnTimeout:        90 * time.Second,
	}
	return &Client{
		http: &http.Client{
			Transport:     transport,
			Timeout:       o.TotalTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxBody:      o.MaxResponseBytes,
		userAgent:    o.UserAgent,
		allowPrivate: o.AllowPrivate,
	}
}

// CloseIdleConnections closes the connections kept alive for later
// attempts; call it at shutdown. The Client stays usable.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Result is what one attempt produced.
type Result struct {
	// Outcome is decided by StatusCode alone when a response arrived.
	Outcome Outcome
	// StatusCode is the response status, 0 when no response arrived.
	StatusCode int
	// Latency runs from the start of Deliver to the end of the (bounded)
	// body read, or to the failure.
	Latency time.Duration
	// ResponseExcerpt is the start of the response body, at most 1 KiB,
	// cut on a rune boundary, with invalid UTF-8 replaced by U+FFFD.
	ResponseExcerpt string
	// RetryAfter is the receiver's Retry-After (delay seconds or HTTP
	// date), capped at MaxRetryAfter; 0 when absent, invalid or past.
	RetryAfter time.Duration
	// Err is why no response arrived (refused target, DNS, connect, TLS,
	// timeout, cancelled ctx), or an error reading the body of a response
	// that did arrive; nil otherwise. A non-2xx status alone is not an Err.
	Err error
}

// Deliver POSTs body to url with headers (cloned; nil is fine), Content-Type
// application/json and the client's User-Agent, and classifies the result:
// only a 2xx is a success, 410 is Gone, and everything else, a redirect
// included (never followed), is Retry. The target is checked with
// ValidateURL first unless the client allows private targets; scheme, host
// and user info are always checked. Deliver never panics on a bad URL and
// returns when ctx is done or TotalTimeout has passed, whichever is first.
func (c *Client) Deliver(ctx context.Context, url string, headers http.Header, body []byte) Result {
	start := time.Now()
	if _, err := checkURL(url, c.allowPrivate); err != nil {
		return Result{Outcome: OutcomeRetry, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Outcome: OutcomeRetry, Err: fmt.Errorf("webhook request: %w", err)}
	}
	if headers != nil {
		req.Header = headers.Clone()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	res, err := c.http.Do(req)
	if err != nil {
		return Result{Outcome: OutcomeRetry, Latency: time.Since(start), Err: err}
	}
	defer res.Body.Close()
	excerpt, readErr := readBounded(res.Body, c.maxBody)
	r := Result{
		Outcome:         classify(res.StatusCode),
		StatusCode:      res.StatusCode,
		Latency:         time.Since(start),
		ResponseExcerpt: excerpt,
		RetryAfter:      ParseRetryAfter(res.Header.Get("Retry-After"), time.Now()),
	}
	if readErr != nil {
		r.Err = fmt.Errorf("read response: %w", readErr)
	}
	return r
}

func classify(status int) Outcome {
	switch {
	case status >= 200 && status < 300:
		return OutcomeSuccess
	case status == http.StatusGone:
		return OutcomeGone
	}
	return OutcomeRetry
}

// readBounded reads at most max bytes of r, keeps the first excerptBytes
// of them, and discards the rest. Reading a small body to its end lets the
// connection be reused; a body longer than max is left unread, and closing
// it then closes the connection instead of draining it.
func readBounded(r io.Reader, max int64) (string, error) {
	buf := make([]byte, min(excerptBytes, max))
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return excerpt(buf[:n]), nil
	}
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(r, max-int64(n)))
	}
	return excerpt(buf[:n]), err
}

// excerpt cuts b to excerptBytes without splitting a rune and replaces
// invalid UTF-8, so the text can be stored and shown as is.
func excerpt(b []byte) string {
	if len(b) > excerptBytes {
		b = b[:excerptBytes]
	}
	// Drop a rune cut short at the end (at most UTFMax-1 bytes).
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if c := b[len(b)-i]; utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				b = b[:len(b)-i]
			}
			break
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// ParseRetryAfter reads a Retry-After header value at now: delay seconds
// ("120") or an HTTP date. It returns 0 for an empty, invalid, negative or
// past value, and caps the result at MaxRetryAfter so that a receiver
// cannot park deliveries for years (nor overflow a Duration).
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || s > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}
