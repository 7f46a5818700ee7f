package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// batchClient sends rows to POST /v1/trackings/batch.
type batchClient struct {
	url, key string
	http     *http.Client
	// retries is how many times a batch is sent again after a network
	// error, a 429 or a 5xx: safe, since the server never creates a
	// tracking twice.
	retries int
	backoff time.Duration
}

func newBatchClient(base, key string) *batchClient {
	return &batchClient{url: strings.TrimRight(base, "/") + "/v1/trackings/batch", key: key,
		http: &http.Client{Timeout: 5 * time.Minute}, retries: 5, backoff: time.Second}
}

// batchResult is the server's answer for one row.
type batchResult struct {
	Index  int       `json:"index"`
	Status string    `json:"status"`
	ID     string    `json:"id"`
	Error  *rowError `json:"error"`
}

// send sends rows and returns a result per row, in order. A body the
// server finds too large is split in two and sent as two batches.
func (c *batchClient) send(ctx context.Context, rows []map[string]any) ([]batchResult, error) {
	body, err := json.Marshal(map[string]any{"trackings": rows})
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		status, answer, err := c.post(ctx, body)
		switch {
		case err == nil && status == http.StatusOK:
			var out struct {
				Results []batchResult `json:"results"`
			}
			if err := json.Unmarshal(answer, &out); err != nil || len(out.Results) != len(rows) {
				return nil, fmt.Errorf("unexpected answer from %s: %.200s", c.url, answer)
			}
			return out.Results, nil
		case err == nil && status == http.StatusRequestEntityTooLarge && len(rows) > 1:
			half := len(rows) / 2
			first, err := c.send(ctx, rows[:half])
			if err != nil {
				return nil, err
			}
			second, err := c.send(ctx, rows[half:])
			return append(first, second...), err
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err == nil && status != http.StatusTooManyRequests && status < 500:
			return nil, fmt.Errorf("%s answered %d: %s", c.url, status, errorMessage(answer))
		case attempt >= c.retries:
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%s answered %d: %s", c.url, status, errorMessage(answer))
		}
		select {
		case <-time.After(c.backoff << attempt):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *batchClient) post(ctx context.Context, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("as-api-key", c.key)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return res.StatusCode, answer, err
}

// errorMessage is the message of a /v1 error envelope, or the body.
func errorMessage(body []byte) string {
	var env struct {
		Error rowError `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Message != "" {
		return env.Error.Message
	}
	return fmt.Sprintf("%.200s", body)
}
