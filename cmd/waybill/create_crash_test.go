package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestCrashKeepsEveryAcknowledgedCreate kills Waybill with SIGKILL at
// random moments while 16 clients create trackings through POST
// /v4/trackings (on SQLite the creates commit in groups), restarts it, and
// checks that every create answered 201 is there after the restarts, and
// that creating an acknowledged tracking again answers 4003, never 201.
func TestCrashKeepsEveryAcknowledgedCreate(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { createCrashTest(t, engine) })
	}
}

func createCrashTest(t *testing.T, engine string) {
	const (
		kills   = 8
		clients = 16
		key     = "wb_test_bootstrap_key_0001"
	)
	dbURL := testdb.URL(t, engine)
	env := append([]string{"WAYBILL_LOG_LEVEL=warn", "WAYBILL_SHUTDOWN_TIMEOUT=2s", "WAYBILL_RATE_LIMIT_SCALE=0"}, crashLease...)
	p := startServe(t, dbURL, env...)
	client := &http.Client{Timeout: 10 * time.Second}

	var (
		mu           sync.Mutex
		acknowledged = map[string]string{} // tracking number -> id
		numbers      []string              // acknowledged numbers, in order
		bad          []string
		next         int
	)
	// create posts one tracking; it returns the status and the id of a 201,
	// or 0 when the request did not get an answer (the process died).
	create := func(url, number string) (int, string) {
		body, _ := json.Marshal(map[string]any{"tracking": map[string]any{"slug": "dhl", "tracking_number": number}})
		req, _ := http.NewRequest("POST", url+"/v4/trackings", bytes.NewReader(body))
		req.Header.Set("aftership-api-key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0, ""
		}
		defer res.Body.Close()
		var out struct {
			Meta struct{ Code int } `json:"meta"`
			Data struct {
				Tracking struct{ ID string } `json:"tracking"`
			} `json:"data"`
		}
		if json.NewDecoder(res.Body).Decode(&out) != nil {
			return 0, "" // cut off mid-answer
		}
		if res.StatusCode == 201 {
			return 201, out.Data.Tracking.ID
		}
		return out.Meta.Code, ""
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for kill := range kills {
		stop := time.Now().Add(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := 0; time.Now().Before(stop); i++ {
					mu.Lock()
					again := c == 0 && i%4 == 3 && len(numbers) > 0
					var number string
					if again { // one already acknowledged: must be 4003
						number = numbers[(i*7919+kill)%len(numbers)]
					} else {
						next++
						number = fmt.Sprintf("KILL%07d", next)
					}
					mu.Unlock()
					code, id := create(p.URL, number)
					mu.Lock()
					switch {
					case again && code == 201:
						bad = append(bad, fmt.Sprintf("%s was acknowledged before and created again as %s", number, id))
					case again && code != 0 && code != 4003:
						bad = append(bad, fmt.Sprintf("creating the acknowledged %s again answered meta code %d, want 4003", number, code))
					case !again && code == 201:
						acknowledged[number] = id
						numbers = append(numbers, number)
					}
					mu.Unlock()
				}
			})
		}
		// Kill while the clients are still sending.
		time.Sleep(time.Until(stop) - 20*time.Millisecond)
		p.kill(t)
		wg.Wait()
		p = p.restart(t)
	}

	missing := 0
	for number, id := range acknowledged {
		status, body := p.call(t, "GET", "/v4/trackings/"+id, key, nil)
		got, _ := body["data"].(map[string]any)["tracking"].(map[string]any)["tracking_number"].(string)
		if status != 200 || got != number {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged create %s (%s) after the restarts: %d %v", number, id, status, body)
			}
		}
	}
	t.Logf("%s: %d kills, %d creates acknowledged, %d missing", engine, kills, len(acknowledged), missing)
	if len(acknowledged) == 0 {
		t.Fatal("no create was acknowledged: the test proved nothing")
	}
	for _, b := range bad {
		t.Error(b)
	}
}
