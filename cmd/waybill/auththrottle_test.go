package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestServeThrottlesKeyGuessing sends sixty different wrong keys to /v4 of
// a running `waybill serve` with the default settings: the first twenty
// get 401, the rest 429 with Retry-After, and so does /v1 from the same
// address, since the budget is the address's on every face.
func TestServeThrottlesKeyGuessing(t *testing.T) {
	p := startServe(t, testdb.URL(t, store.SQLite), "WAYBILL_LOG_LEVEL=warn")
	get := func(path, header, key string) (int, string) {
		req, _ := http.NewRequest("GET", p.URL+path, nil)
		req.Header.Set(header, key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Retry-After")
	}
	counts := map[int]int{}
	for i := range 60 {
		status, retry := get("/v4/trackings", "aftership-api-key", fmt.Sprintf("wb_guess_%04d", i))
		counts[status]++
		if status == 429 {
			if s, err := strconv.Atoi(retry); err != nil || s < 1 {
				t.Fatalf("429 with Retry-After %q", retry)
			}
		}
	}
	// A unit refills every 3 s, so a slow machine may see a 401 or two more.
	if counts[401] < 20 || counts[401] > 23 || counts[401]+counts[429] != 60 {
		t.Errorf("sixty wrong keys: %v, want 20 401s (a few more if slow) and 429s after", counts)
	}
	if status, _ := get("/v1/webhooks", "as-api-key", "wb_guess_v1"); status != 429 {
		t.Errorf("/v1 from the same address: %d, want 429", status)
	}
}
