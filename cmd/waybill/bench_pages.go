package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/loadgen"
)

// benchPages loads the hosted tracking pages: it creates a pool of
// trackings through the 2026-07 API, each with a few checkpoints pushed
// through /v1/checkpoints, then views their pages (the path of each
// aftership_tracking_url) at random.
func benchPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		l         loadFlags
		base, key string
		pool      int
	)
	err := parseBench("pages", args, stderr, func(fs *flag.FlagSet) {
		l.register(fs)
		fs.StringVar(&base, "url", "http://127.0.0.1:8080", "Waybill's base URL")
		fs.StringVar(&key, "key", "", "API key (as-api-key)")
		fs.IntVar(&pool, "pool", 500, "trackings to create before the load")
	})
	if err != nil {
		return err
	}
	base = strings.TrimRight(base, "/")
	if err := errors.Join(l.validate(), checkTarget(base)); err != nil {
		return err
	}
	if key == "" || pool < 1 {
		return errors.New("--key is required and --pool must be at least 1")
	}
	client := loadgen.NewClient(l.concurrency)
	pages, err := createPages(ctx, client, base, key, pool)
	if err != nil {
		return err
	}
	build := func(int64) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, base+pages[rand.IntN(len(pages))], nil)
	}
	res := loadgen.Run(ctx, client, build, l.options(http.StatusOK))
	if err := ctx.Err(); err != nil {
		return err
	}
	return printResult(stdout, "pages view", &l, res)
}

// createPages creates n trackings with three checkpoints each and returns
// the path of each one's page.
func createPages(ctx context.Context, client *http.Client, base, key string, n int) ([]string, error) {
	prefix := fmt.Sprintf("WBP%d", time.Now().UnixNano()%1e12)
	call := func(method, path string, body any, out any) error {
		data, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(data))
		if err != nil {
			return err
		}
		req.Header.Set("as-api-key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode >= 300 {
			b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
			return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		if out == nil {
			return nil
		}
		return json.NewDecoder(res.Body).Decode(out)
	}
	pages := make([]string, 0, n)
	for i := range n {
		number := fmt.Sprintf("%s%06d", prefix, i)
		var created struct {
			Data struct {
				URL string `json:"aftership_tracking_url"`
			} `json:"data"`
		}
		err := call(http.MethodPost, "/tracking/2026-07/trackings", map[string]any{"slug": "dhl", "tracking_number": number,
			"order_number": fmt.Sprintf("#%d", i/2), "order_id": fmt.Sprintf("%s-O%d", prefix, i/2), "destination_city": "Leeds",
			"customers": []map[string]any{{"name": "Bench Shopper", "email": "shopper@example.com"}}}, &created)
		if err != nil {
			return nil, fmt.Errorf("create tracking: %w", err)
		}
		u, err := url.Parse(created.Data.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/t/") {
			return nil, fmt.Errorf("tracking %s has no page link (%q): is WAYBILL_PUBLIC_URL set?", number, created.Data.URL)
		}
		pages = append(pages, u.Path)
		err = call(http.MethodPost, "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": number,
			"checkpoints": []map[string]any{
				{"checkpoint_time": "2026-07-01T10:00:00+02:00", "message": "Shipment picked up", "city": "Köln", "country_iso3": "DEU", "tag": "InTransit"},
				{"checkpoint_time": "2026-07-02T06:10:00+01:00", "message": "Arrived at facility", "city": "Leeds", "country_iso3": "GBR", "tag": "InTransit"},
				{"checkpoint_time": "2026-07-02T08:40:00+01:00", "message": "Out for delivery", "city": "Leeds", "country_iso3": "GBR", "tag": "OutForDelivery"},
			}}, nil)
		if err != nil {
			return nil, fmt.Errorf("push checkpoints: %w", err)
		}
	}
	return pages, nil
}
