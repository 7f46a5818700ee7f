package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

const testKey = "wb_test_bootstrap_key_0001"

func createChannel(t *testing.T, p *process) waybill.Channel {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/v1/channels", bytes.NewBufferString(`{"name":"crash"}`))
	req.Header.Set("as-api-key", testKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ch waybill.Channel
	if err := json.NewDecoder(res.Body).Decode(&ch); err != nil || res.StatusCode != 201 {
		t.Fatalf("create channel: %d %v", res.StatusCode, err)
	}
	return ch
}

func manualSaleBody(ext string) []byte {
	b, _ := json.Marshal(map[string]any{
		"externalId": ext,
		"customer":   map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada-" + ext + "@example.com"},
		"lineItems": []any{
			map[string]any{"externalId": "L1", "name": "Mug", "quantity": 1, "price": 9.5, "properties": []any{map[string]any{"key": "vendor", "value": "vendor-a"}}},
			map[string]any{"externalId": "L2", "name": "Tee", "quantity": 2, "price": 15, "properties": []any{map[string]any{"key": "vendor", "value": "vendor-b"}}},
			map[string]any{"externalId": "L3", "name": "Cap", "quantity": 3, "price": 12, "properties": []any{map[string]any{"key": "vendor", "value": "vendor-a"}}},
		},
		"shipping": []any{map[string]any{"code": "std", "name": "Standard", "price": 4}},
	})
	return b
}

// TestOnportCrashExactlyOnce kills the server with SIGKILL at random
// moments while bursts of asynchronous manual sales arrive and the
// processor works, restarts it each time, and checks at the end that every
// sale whose request got 200 exists exactly once with all its lines and
// purchases, and was announced exactly once.
func TestOnportCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { onportCrash(t, engine) })
	}
}

func onportCrash(t *testing.T, engine string) {
	kills := 20
	if s := os.Getenv("WAYBILL_CRASH_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	dbURL := testdb.URL(t, engine)
	p := startServe(t, dbURL, "WAYBILL_LOG_LEVEL=warn")
	ch := createChannel(t, p)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var mu sync.Mutex
	acked := map[string]bool{}
	seq := 0
	roundAcks := 0 // acknowledged in the current round
	const minRoundAcks = 10
	for round := 0; round <= kills; round++ {
		if round > 0 {
			p = p.restart(t)
		}
		ctx, cancel := context.WithCancel(context.Background())
		mu.Lock()
		roundAcks = 0
		mu.Unlock()
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					mu.Lock()
					seq++
					ext := fmt.Sprintf("c%d-%d", round, seq)
					mu.Unlock()
					req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/webhooks/custom-channels/manual-sale.json", bytes.NewReader(manualSaleBody(ext)))
					req.Header.Set("jetti-webhook-hash", ch.WebhookHash)
					res, err := client.Do(req)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode == 200 {
						mu.Lock()
						acked[ext] = true
						roundAcks++
						mu.Unlock()
					}
					// Paced (at most ~500/s in all): enough concurrent
					// requests in flight at each kill, and a backlog the
					// slower engine's processor drains in seconds.
					time.Sleep(30 * time.Millisecond)
				}
			}()
		}
		if round < kills {
			time.Sleep(time.Duration(150+rand.IntN(350)) * time.Millisecond)
			// On a loaded machine a round's first requests can take
			// longer than its time: the kill waits for a few to be
			// acknowledged (at most 10 s), so that every kill lands on a
			// server that is taking requests, whatever the machine.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				mu.Lock()
				n := roundAcks
				mu.Unlock()
				if n >= minRoundAcks {
					break
				}
			}
			p.kill(t)
			cancel()
			wg.Wait()
		} else {
			time.Sleep(300 * time.Millisecond)
			cancel()
			wg.Wait()
		}
	}
	t.Logf("%s: %d kills, %d acknowledged requests", engine, kills, len(acked))
	if len(acked) < kills*minRoundAcks {
		t.Fatalf("only %d requests acknowledged; the test did not exercise the server", len(acked))
	}

	// Wait for the last process to drain the queue.
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// It fails when the backlog stops shrinking for a minute, not when
	// a slow machine takes long.
	db := st.Writer()
	least, lastProgress := -1, time.Now()
	for {
		var pending int
		if err := db.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if least < 0 || pending < least {
			least, lastProgress = pending, time.Now()
		}
		if time.Since(lastProgress) > time.Minute {
			t.Fatalf("queue stuck at %d pending messages:\n%s", pending, tail(p.stderr.String(), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	var failed int
	if err := db.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status <> 'done'`).Scan(&failed); err != nil || failed > 0 {
		t.Fatalf("%d messages not done (%v)", failed, err)
	}
	count := func(query string, args ...any) map[string]int {
		rows, err := db.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var ext string
			var n int
			if err := rows.Scan(&ext, &n); err != nil {
				t.Fatal(err)
			}
			out[ext] = n
		}
		return out
	}
	sales := count(`SELECT external_id, COUNT(*) FROM sales GROUP BY external_id`)
	items := count(`SELECT s.external_id, COUNT(*) FROM sale_items i JOIN sales s ON s.id = i.sale_id GROUP BY s.external_id`)
	purchases := count(`SELECT s.external_id, COUNT(*) FROM purchases p JOIN sales s ON s.id = p.sale_id GROUP BY s.external_id`)
	pitems := count(`SELECT s.external_id, COUNT(*) FROM purchase_items pi JOIN purchases p ON p.id = pi.purchase_id JOIN sales s ON s.id = p.sale_id GROUP BY s.external_id`)
	events := count(`SELECT type, COUNT(*) FROM events GROUP BY type`)
	msgs := count(`SELECT external_id, COUNT(*) FROM inbound_messages GROUP BY external_id`)
	for ext := range acked {
		if sales[ext] != 1 || items[ext] != 3 || purchases[ext] != 2 || pitems[ext] != 3 || msgs[ext] != 1 {
			t.Errorf("sale %s: %d sales, %d lines, %d purchases, %d purchase lines, %d messages; want 1, 3, 2, 3, 1",
				ext, sales[ext], items[ext], purchases[ext], pitems[ext], msgs[ext])
		}
	}
	for ext := range sales {
		if msgs[ext] == 0 {
			t.Errorf("sale %s has no inbound message", ext)
		}
	}
	if events[waybill.EventSaleDropship] != len(sales) {
		t.Errorf("%d sale.dropship events for %d sales: a message was processed twice or not at all", events[waybill.EventSaleDropship], len(sales))
	}
}
