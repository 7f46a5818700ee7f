package onportlink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/webhook"
)

// maxResponseBytes bounds what is read of an Onport answer.
const maxResponseBytes = 8 << 20

// maxInlineWait is the longest Retry-After a request waits out in place;
// a longer one ends the job, to run again after it (RetryLaterError).
const maxInlineWait = 10 * time.Second

// Client calls one Onport account's API with its token, within the
// process's Throttle. It waits out a 429 (Retry-After) a few times; other
// failures come back as errors that say whether trying again may help.
type Client struct {
	BaseURL  string // e.g. https://api.jetti.io, no trailing slash
	Token    string
	HTTP     *http.Client
	Throttle *Throttle
}

// StatusError is an answer other than 2xx.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string // the start of the answer, for logs
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("onport %s %s: %d %s", e.Method, e.Path, e.Status, e.Body)
}

// Temporary reports whether the same request may succeed later.
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

// RetryLaterError is a 429 whose Retry-After is too long to wait in place.
type RetryLaterError struct{ After time.Duration }

func (e *RetryLaterError) Error() string {
	return fmt.Sprintf("onport asks to retry after %s", e.After)
}

// Permanent reports whether err says that repeating the request cannot
// help (a 4xx other than 408 and 429).
func Permanent(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && !se.Temporary()
}

// NewHTTPClient returns the client connections use: bounded time, no
// redirects, no proxy, and the webhook SSRF dialer, so an API URL cannot
// reach private addresses unless allowPrivate (WAYBILL_WEBHOOK_ALLOW_PRIVATE).
func NewHTTPClient(allowPrivate bool) *http.Client {
	dialer := &webhook.Dialer{AllowPrivate: allowPrivate, Net: &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}}
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: 5 * time.Second, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second},
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Get reads path?rawQuery into out (JSON).
func (c *Client) Get(ctx context.Context, path, rawQuery string, out any) error {
	return c.do(ctx, http.MethodGet, path, rawQuery, nil, out)
}

// Send makes a write (PUT, POST) with a JSON body; the answer is dropped.
func (c *Client) Send(ctx context.Context, method, path string, body []byte) error {
	return c.do(ctx, method, path, "", body, nil)
}

func (c *Client) do(ctx context.Context, method, path, rawQuery string, body []byte, out any) error {
	write := method != http.MethodGet
	for waited := 0; ; waited++ {
		if err := c.Throttle.Wait(ctx, c.Token, write); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("onport %s %s: %w", method, path, err)
		}
		req.URL.RawQuery = rawQuery
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Waybill-Onport-Connector/1")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.HTTP.Do(req)
		if err != nil {
			return fmt.Errorf("onport %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("onport %s %s: read answer: %w", method, path, err)
		}
		switch {
		case res.StatusCode/100 == 2:
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return &StatusError{Method: method, Path: path, Status: http.StatusUnprocessableEntity, Body: "answer is not the expected JSON: " + err.Error()}
			}
			return nil
		case res.StatusCode == http.StatusTooManyRequests:
			wait := webhook.ParseRetryAfter(res.Header.Get("Retry-After"), time.Now())
			if wait <= 0 {
				wait = time.Second
			}
			c.Throttle.Pause(c.Token, time.Now().Add(wait))
			if wait > maxInlineWait || waited >= 3 {
				return &RetryLaterError{After: wait}
			}
			continue
		}
		return &StatusError{Method: method, Path: path, Status: res.StatusCode, Body: snippet(data)}
	}
}

func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
