package carrierhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
)

// MaxBody is the most bytes of a carrier's answer that are read; a larger
// answer is refused (a tracking answer of 99 events is under 100 KiB).
const MaxBody = 4 << 20

// DefaultTimeout is the timeout of the HTTP client a connector makes when
// it is given none.
const DefaultTimeout = 30 * time.Second

// ErrTooLarge is returned for an answer larger than MaxBody.
var ErrTooLarge = errors.New("carrier answer larger than the limit")

// Client returns c, or a client with DefaultTimeout when c is nil.
func Client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: DefaultTimeout}
}

// Response is a carrier's answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and reads at most MaxBody bytes of the answer. A failure
// to reach the carrier or to read its answer is a *carrier.TemporaryError
// (what is its error message is safe: it names the URL without query
// secrets, since no connector puts a secret in a URL); ctx's own error is
// returned as it is when ctx is done.
func Do(ctx context.Context, client *http.Client, req *http.Request) (Response, error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, &carrier.TemporaryError{Reason: "carrier unreachable", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, &carrier.TemporaryError{Reason: "reading the carrier's answer", Err: err}
	}
	if len(body) > MaxBody {
		return Response{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ErrTooLarge)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date) as a
// duration from now; zero when absent, unreadable or in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// UntilMidnightUTC is the wait until the next 00:00 GMT, when DHL's and
// FedEx's daily quotas reset.
func UntilMidnightUTC(now time.Time) time.Duration {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(now)
}

// Temporary returns the *carrier.TemporaryError of a status worth
// retrying (429, 408, 5xx) with reason appended, and nil for any other
// status.
func Temporary(r Response, now time.Time, reason string) error {
	if r.Status != http.StatusTooManyRequests && r.Status != http.StatusRequestTimeout && r.Status < 500 {
		return nil
	}
	msg := "HTTP " + strconv.Itoa(r.Status)
	if r.Status == http.StatusTooManyRequests {
		msg = "rate limited (HTTP 429)"
	}
	if reason != "" {
		msg += ": " + reason
	}
	return &carrier.TemporaryError{Reason: msg, RetryAfter: RetryAfter(r.Header, now)}
}
