package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Outcome classifies a delivery attempt.
type Outcome int

// Outcomes.
const (
	OutcomeRetry   Outcome = iota // network error, timeout, 3xx, 429, other 4xx, 5xx: try again later
	OutcomeSuccess                // 2xx
	OutcomeGone                   // 410: the receiver asks us to stop; disable the endpoint
)

// ClientOptions configure a Client. Zero values take the defaults.
type ClientOptions struct {
	ConnectTimeout   time.Duration // default 5 s
	TotalTimeout     time.Duration // default 15 s, the whole attempt
	MaxResponseBytes int64         // default 64 KiB: more is never read
	AllowPrivate     bool          // allow private and loopback targets
	UserAgent        string
	Resolver         Resolver // default net.DefaultResolver
}

// Client makes webhook delivery attempts.
type Client struct {
	http    *http.Client
	maxBody int64
	agent   string
	private bool
}

// excerptBytes is how much of a response an attempt record keeps.
const excerptBytes = 1024

// NewClient returns a client that never follows redirects, never uses a
// proxy, bounds connect and total time, reads at most MaxResponseBytes of a
// response, and refuses private targets unless AllowPrivate.
func NewClient(o ClientOptions) *Client {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.TotalTimeout <= 0 {
		o.TotalTimeout = 15 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 64 << 10
	}
	if o.UserAgent == "" {
		o.UserAgent = "Waybill-Webhooks/1"
	}
	d := &Dialer{Resolver: o.Resolver, AllowPrivate: o.AllowPrivate, Dialer: &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		MaxIdleConns:          200,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: o.TotalTimeout,
	}
	return &Client{
		http: &http.Client{Transport: transport, Timeout: o.TotalTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		maxBody: o.MaxResponseBytes, agent: o.UserAgent, private: o.AllowPrivate,
	}
}

// Result is what one attempt produced.
type Result struct {
	Outcome         Outcome
	StatusCode      int           // 0 when no response arrived
	Latency         time.Duration // from send to the end of the (bounded) body
	ResponseExcerpt string        // at most 1 KiB of the response body
	RetryAfter      time.Duration // from a Retry-After header, 0 if none
	Err             error         // transport error or refusal, nil with a response
}

// Deliver POSTs body to url with headers and classifies the outcome. Only a
// 2xx is a success; a redirect is a failure and is not followed.
func (c *Client) Deliver(ctx context.Context, url string, headers http.Header, body []byte) Result {
	start := time.Now()
	if !c.private {
		if err := ValidateURL(url); err != nil {
			return Result{Outcome: OutcomeRetry, Err: err}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Outcome: OutcomeRetry, Err: err}
	}
	req.Header = headers.Clone()
	req.Header.Set("User-Agent", c.agent)
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return Result{Outcome: OutcomeRetry, Latency: time.Since(start), Err: err}
	}
	defer res.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(res.Body, c.maxBody))
	r := Result{StatusCode: res.StatusCode, Latency: time.Since(start), ResponseExcerpt: excerpt(data),
		RetryAfter: parseRetryAfter(res.Header.Get("Retry-After"), time.Now())}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		r.Outcome = OutcomeSuccess
	case res.StatusCode == http.StatusGone:
		r.Outcome = OutcomeGone
	default:
		r.Outcome = OutcomeRetry
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			r.Err = readErr
		}
	}
	return r
}

func excerpt(b []byte) string {
	if len(b) > excerptBytes {
		b = b[:excerptBytes]
	}
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return strings.ToValidUTF8(string(b), "")
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
