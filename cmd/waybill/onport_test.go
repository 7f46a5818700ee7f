package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	_ "net/http/pprof" // profiles of the benchmark server (WAYBILL_BENCH_PPROF)
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/loadgen"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// onportHelperEnv makes the test binary run as an Onport server process
// (the same wiring newOnport gives serve) instead of running tests, so that
// the process tests can SIGKILL a real server whatever serve wires yet.
const onportHelperEnv = "WAYBILL_ONPORT_TEST_SERVER"

func init() {
	if os.Getenv(onportHelperEnv) != "1" {
		return
	}
	if err := runOnportHelper(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "onport helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runOnportHelper(ctx context.Context) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	cfg.RateLimitScale = 0
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	tenants := &tenant.Service{Store: st}
	if _, err := tenants.Bootstrap(ctx, "default", cfg.BootstrapAPIKey); err != nil {
		return err
	}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		return err
	}
	webhooks := &webhook.Service{Store: st, Queue: q}
	trackings := &tracking.Service{Store: st, Queue: q, Dispatcher: webhooks}
	parts := newOnport(cfg, st, tenants, trackings, webhooks, logger)
	srv := httpserver.New(cfg.Addr, logger, httpserver.Checks{Ready: st.Ping}, parts.API)
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if a := os.Getenv("WAYBILL_BENCH_PPROF"); a != "" {
		go func() { _ = http.ListenAndServe(a, nil) }()
	}
	if os.Getenv("WAYBILL_BENCH_NO_PROCESSING") == "1" {
		go parts.Ingester.Run(ctx)
	} else {
		go parts.Run(ctx)
	}
	if err := os.WriteFile(os.Getenv("WAYBILL_ADDR_FILE"), []byte(l.Addr().String()), 0o600); err != nil {
		return err
	}
	return srv.Serve(l)
}

// startOnport runs the Onport server process on a random port.
func startOnport(t testing.TB, databaseURL string) *process {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	env := append(os.Environ(), onportHelperEnv+"=1", "WAYBILL_ADDR=127.0.0.1:0", "WAYBILL_ADDR_FILE="+addrFile,
		"WAYBILL_DATABASE_URL="+databaseURL, "WAYBILL_BOOTSTRAP_API_KEY=wb_test_bootstrap_key_0001")
	p := &process{cmd: exec.Command(os.Args[0]), env: env, stderr: &bytes.Buffer{}}
	p.cmd.Env, p.cmd.Stderr = env, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if addr, err := os.ReadFile(addrFile); err == nil && len(addr) > 0 {
			p.URL = "http://" + string(addr)
			if res, err := http.Get(p.URL + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return p
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("onport server did not become ready:\n%s", p.stderr)
	return nil
}

const testKey = "wb_test_bootstrap_key_0001"

func createChannel(t testing.TB, p *process) waybill.Channel {
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
	p := startOnport(t, dbURL)
	ch := createChannel(t, p)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var mu sync.Mutex
	acked := map[string]bool{}
	seq := 0
	for round := 0; round <= kills; round++ {
		if round > 0 {
			p = startOnport(t, dbURL)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 16 {
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
						mu.Unlock()
					}
					_ = w
				}
			}()
		}
		if round < kills {
			time.Sleep(time.Duration(150+rand.IntN(350)) * time.Millisecond)
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = p.cmd.Wait()
			cancel()
			wg.Wait()
		} else {
			time.Sleep(300 * time.Millisecond)
			cancel()
			wg.Wait()
		}
	}
	t.Logf("%s: %d kills, %d acknowledged requests", engine, kills, len(acked))
	if len(acked) < kills*10 {
		t.Fatalf("only %d requests acknowledged; the test did not exercise the server", len(acked))
	}

	// Wait for the last process to drain the queue.
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(2 * time.Minute)
	db := st.Writer()
	for {
		var pending int
		if err := db.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained:\n%s", p.stderr)
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

// TestOnportLoad measures the asynchronous manual-sale path of a server
// process with durable commits. It runs only when WAYBILL_BENCH_ONPORT is
// set (scripts/bench-onport.sh), closed loop, then open loop at
// WAYBILL_BENCH_RATE.
func TestOnportLoad(t *testing.T) {
	if os.Getenv("WAYBILL_BENCH_ONPORT") == "" {
		t.Skip("set WAYBILL_BENCH_ONPORT=1 (scripts/bench-onport.sh)")
	}
	engine := store.SQLite
	if os.Getenv("WAYBILL_BENCH_ENGINE") == store.Postgres {
		engine = store.Postgres
	}
	dur := 10 * time.Second
	if s := os.Getenv("WAYBILL_BENCH_DURATION"); s != "" {
		dur, _ = time.ParseDuration(s)
	}
	rate := 5000.0
	if s := os.Getenv("WAYBILL_BENCH_RATE"); s != "" {
		rate, _ = strconv.ParseFloat(s, 64)
	}
	conc := 128
	if s := os.Getenv("WAYBILL_BENCH_CONCURRENCY"); s != "" {
		conc, _ = strconv.Atoi(s)
	}
	dbURL := testdb.URL(t, engine)
	p := startOnport(t, dbURL)
	ch := createChannel(t, p)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("jetti-webhook-hash", ch.WebhookHash)
	body := string(manualSaleBody("RUN-{{n}}"))
	client := loadgen.NewClient(conc)
	url := p.URL + "/webhooks/custom-channels/manual-sale.json"

	closed := loadgen.Run(context.Background(), client, loadgen.Template("POST", url, h, body), loadgen.Options{Concurrency: conc, Duration: dur, Expect: 200})
	fmt.Printf("onport async manual-sale (%s, closed loop, %d workers): %s\n", engine, conc, closed)
	body2 := string(manualSaleBody("OPEN-{{n}}"))
	// Open loop: workers enough for the rate at up to ~100ms each, each
	// with a kept-alive connection (a client with fewer idle connections
	// than workers would measure connection churn, not the server).
	openConc := max(int(rate/10), 64)
	open := loadgen.Run(context.Background(), loadgen.NewClient(openConc), loadgen.Template("POST", url, h, body2),
		loadgen.Options{Concurrency: openConc, Duration: dur, Rate: rate, Expect: 200})
	fmt.Printf("onport async manual-sale (%s, open loop at %.0f/s): %s\n", engine, rate, open)
	if os.Getenv("WAYBILL_BENCH_NO_PROCESSING") != "1" {
		// How fast the backlog is processed once the traffic stops.
		st, err := store.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		pending := func() int {
			var n int
			if err := st.Writer().QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status = 'pending'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		start, before := time.Now(), pending()
		for time.Since(start) < 2*time.Minute && pending() > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		left := pending()
		el := time.Since(start)
		fmt.Printf("onport processing (%s): backlog %d after the load, %d processed in %s (%.0f sales/s), %d left\n",
			engine, before, before-left, el.Round(time.Millisecond), float64(before-left)/el.Seconds(), left)
	}
	if closed.Errors > 0 || open.Errors > 0 {
		t.Errorf("errors: closed %d (%s), open %d (%s)", closed.Errors, closed.FirstErr, open.Errors, open.FirstErr)
	}
}
