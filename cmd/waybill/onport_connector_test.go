package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/testdb"
)

const bootstrapKey = "wb_test_bootstrap_key_0001"

// freeAddr returns a loopback address nothing listens on now, so that a
// process can be told its public URL before it starts (and restart on it).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// onportDoor is a reverse proxy in front of the merchant's Onport (the
// first process). It records when each request of the connector's token
// arrived and, once chaos is on, answers some of them 429 (Retry-After: 1)
// or 500 itself.
type onportDoor struct {
	token string
	chaos atomic.Bool
	rng   *rand.Rand
	proxy *httputil.ReverseProxy

	mu             sync.Mutex
	gets, writes   []time.Time
	refused, fails int
}

func newOnportDoor(t *testing.T, target, token string) *onportDoor {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	return &onportDoor{token: token, rng: rand.New(rand.NewPCG(7, 9)), proxy: httputil.NewSingleHostReverseProxy(u)}
}

func (d *onportDoor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "Bearer "+d.token {
		d.mu.Lock()
		if r.Method == http.MethodGet {
			d.gets = append(d.gets, time.Now())
		} else {
			d.writes = append(d.writes, time.Now())
		}
		roll := d.rng.IntN(100)
		d.mu.Unlock()
		if d.chaos.Load() {
			switch {
			case roll < 20:
				d.mu.Lock()
				d.refused++
				d.mu.Unlock()
				w.Header().Set("Retry-After", "1")
				http.Error(w, `{"message":"Too many requests"}`, http.StatusTooManyRequests)
				return
			case roll < 35:
				d.mu.Lock()
				d.fails++
				d.mu.Unlock()
				http.Error(w, `{"message":"Internal error"}`, http.StatusInternalServerError)
				return
			}
		}
	}
	d.proxy.ServeHTTP(w, r)
}

// tooFast returns a description of the first moment the token was used
// faster than the budget: three GETs within a second, or two writes.
func (d *onportDoor) tooFast() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := 2; i < len(d.gets); i++ {
		if gap := d.gets[i].Sub(d.gets[i-2]); gap < time.Second {
			return fmt.Sprintf("GETs %d and %d arrived %s apart", i-2, i, gap)
		}
	}
	for i := 1; i < len(d.writes); i++ {
		if gap := d.writes[i].Sub(d.writes[i-1]); gap < time.Second {
			return fmt.Sprintf("writes %d and %d arrived %s apart", i-1, i, gap)
		}
	}
	return ""
}

// doJSON makes a request with a bearer token (Onport's face) or an API key
// (the others) and decodes the answer.
func doJSON(t *testing.T, method, u, bearer, key string, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if key != "" {
		req.Header.Set("as-api-key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func list(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func obj(v any, keys ...string) map[string]any {
	m, _ := v.(map[string]any)
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	return m
}

func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %s waiting for %s", limit, what)
}

// merchant is the first process playing the merchant's Onport, and the
// second connected to it as the tracking integration.
type merchant struct {
	onport, waybill *process
	door            *onportDoor
	doorSrv         *httptest.Server
	connKey         string
	hooks           map[string]any
	waybillEnv      []string
	waybillDB       string
}

func (m *merchant) restartWaybill(t *testing.T) {
	m.waybill = startServe(t, m.waybillDB, m.waybillEnv...)
}

// newMerchant starts both processes, connects the second to the first
// through the door and subscribes the second's webhook URLs on the first.
func newMerchant(t *testing.T, engine string, fulfillments, subscribe bool) *merchant {
	t.Helper()
	m := &merchant{}
	// The first process's own throttle is loosened for this test's quick
	// setup calls; the connector's pace is measured at the door.
	m.onport = startServe(t, testdb.URL(t, engine), "WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_LOG_LEVEL=warn", "WAYBILL_RATE_LIMIT_SCALE=20",
		"WAYBILL_WEBHOOK_RETRY_SCHEDULE=200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s")
	// The connector gets a key of its own, so that this test's reads do
	// not spend its budget.
	cmd := exec.Command(binary, "key", "create", "--org", "default")
	cmd.Env = m.onport.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("key create: %v", err)
	}
	var created struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &created); err != nil || created.APIKey == "" {
		t.Fatalf("key create printed %s", out)
	}
	m.connKey = created.APIKey
	m.door = newOnportDoor(t, m.onport.URL, m.connKey)
	m.doorSrv = httptest.NewServer(m.door)
	t.Cleanup(m.doorSrv.Close)

	addr := freeAddr(t)
	m.waybillDB = testdb.URL(t, engine)
	m.waybillEnv = []string{"WAYBILL_ADDR=" + addr, "WAYBILL_PUBLIC_URL=http://" + addr, "WAYBILL_SECRET_KEY=" + secretbox.GenerateKey(),
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_SANDBOX_STEP=2s", "WAYBILL_LOG_LEVEL=warn", "WAYBILL_RATE_LIMIT_SCALE=20", "WAYBILL_SHUTDOWN_TIMEOUT=2s"}
	m.waybillEnv = append(m.waybillEnv, crashLease...)
	m.restartWaybill(t)

	status, body := doJSON(t, "POST", m.waybill.URL+"/v1/connectors/onport", "", bootstrapKey, map[string]any{
		"api_url": m.doorSrv.URL, "token": m.connKey, "write_tracking_url": true, "write_tracking_events": true})
	if status != 201 {
		t.Fatalf("connect: %d %v\n%s", status, body, m.waybill.stderr)
	}
	if strings.Contains(fmt.Sprint(body), m.connKey) {
		t.Fatal("the connection's answer shows the token")
	}
	m.hooks = obj(body, "connection", "webhook_urls")
	for _, sub := range []struct{ url, event string }{
		// (none when the test backfills instead)
		{m.hooks["sales"].(string), "sale.dropship"}, {m.hooks["dropshipments"].(string), "dropshipment.acknowledged"},
	} {
		if !subscribe {
			break
		}
		if status, body := doJSON(t, "POST", m.onport.URL+"/v1/webhooks", "", bootstrapKey, map[string]any{
			"url": sub.url, "events": []string{sub.event}, "api_version": "onport"}); status != 201 {
			t.Fatalf("subscribe %s: %d %v", sub.event, status, body)
		}
	}
	channel := map[string]any{"name": "Shop"}
	if fulfillments {
		channel["fulfillment_url"] = m.hooks["fulfillments"]
	}
	if status, body := doJSON(t, "POST", m.onport.URL+"/v1/channels", "", bootstrapKey, channel); status != 201 {
		t.Fatalf("channel: %d %v", status, body)
	}
	return m
}

// sell makes a sale of two vendors on the merchant's Onport, ships both
// purchases with the given numbers and acknowledges both dropshipments. It
// returns the dropshipments' ids.
func (m *merchant) sell(t *testing.T, order string, numbers [2]string) []int64 {
	t.Helper()
	_, chs := doJSON(t, "GET", m.onport.URL+"/api/channels.json", bootstrapKey, "", nil)
	channelID := int64(list(chs)[0]["id"].(float64))
	status, sale := doJSON(t, "POST", fmt.Sprintf("%s/api/channels/%d/manual-sale.json", m.onport.URL, channelID), bootstrapKey, "", map[string]any{
		"externalId": order,
		"saleDefaults": map[string]any{"reference": order, "shippingFirstName": "Ada", "shippingLastName": "Lovelace",
			"shippingAddressLineOne": "1 Main St", "shippingCity": "Beverly Hills", "shippingState": "CA", "shippingCountry": "US", "shippingZip": "90210"},
		"customer": map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
		"lineItems": []map[string]any{
			{"externalId": "L1", "name": "Lamp", "quantity": 1, "price": 40, "properties": []map[string]any{{"key": "vendor", "value": "vendor-a"}}},
			{"externalId": "L2", "name": "Shade", "quantity": 2, "price": 10, "properties": []map[string]any{{"key": "vendor", "value": "vendor-b"}}},
		}})
	if status != 201 {
		t.Fatalf("manual sale %s: %d %v", order, status, sale)
	}
	purchases := list(obj(sale)["purchases"])
	if len(purchases) != 2 {
		t.Fatalf("sale %s has %d purchases, want 2", order, len(purchases))
	}
	var ids []int64
	for i, p := range purchases {
		status, d := doJSON(t, "POST", fmt.Sprintf("%s/api/purchases/%d/ship.json", m.onport.URL, int64(p["id"].(float64))), bootstrapKey, "",
			map[string]any{"trackingNumber": numbers[i], "trackingCompany": "Sandbox"})
		if status != 201 {
			t.Fatalf("ship: %d %v", status, d)
		}
		id := int64(obj(d)["id"].(float64))
		if status, body := doJSON(t, "PUT", fmt.Sprintf("%s/api/dropshipments/%d/acknowledge.json", m.onport.URL, id), bootstrapKey, "", nil); status != 200 {
			t.Fatalf("acknowledge: %d %v", status, body)
		}
		ids = append(ids, id)
	}
	return ids
}

// integration reads what the integration made: trackings, sales and
// dropshipments.
func (m *merchant) integration(t *testing.T) (trackings, sales, dropshipments []map[string]any) {
	t.Helper()
	_, tr := doJSON(t, "GET", m.waybill.URL+"/v4/trackings?limit=200", "", bootstrapKey, nil)
	for _, x := range obj(tr, "data")["trackings"].([]any) {
		trackings = append(trackings, x.(map[string]any))
	}
	_, s := doJSON(t, "GET", m.waybill.URL+"/api/sales.json?limit=250&include[0][model]=Customer&include[1][model]=SaleItem", bootstrapKey, "", nil)
	_, d := doJSON(t, "GET", m.waybill.URL+"/api/dropshipments.json?limit=250", bootstrapKey, "", nil)
	return trackings, list(s), list(d)
}

// TestOnportConnectorEndToEnd: the first process is the merchant's
// Onport, the second its tracking integration. See onportEndToEnd.
func TestOnportConnectorEndToEnd(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { onportEndToEnd(t, engine, false) })
	}
}

// TestOnportConnectorUnderChaos is the same with the merchant's Onport
// answering 429 and 500 at random.
func TestOnportConnectorUnderChaos(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { onportEndToEnd(t, engine, true) })
	}
}

func onportEndToEnd(t *testing.T, engine string, chaos bool) {
	m := newMerchant(t, engine, true, true)
	m.door.chaos.Store(chaos)
	dropshipments := m.sell(t, "1001", [2]string{"SBXDELIVERED0001", "SBXATTEMPTFAIL0002"})

	// The integration ends with one order, two trackings, the customer as
	// recipient of both.
	eventually(t, "two trackings on the integration", 2*time.Minute, func() bool {
		tr, _, _ := m.integration(t)
		return len(tr) == 2
	})
	trackings, sales, _ := m.integration(t)
	if len(sales) != 1 {
		t.Fatalf("%d orders on the integration, want 1", len(sales))
	}
	sale := sales[0]
	if c := obj(sale, "customer"); c["email"] != "ada@example.com" || sale["shippingCity"] != "Beverly Hills" || len(list(sale["sale_items"])) != 2 {
		t.Errorf("order %v", sale)
	}
	for _, tr := range trackings {
		emails, _ := tr["emails"].([]any)
		if !slices.Contains(emails, any("ada@example.com")) || tr["customer_name"] != "Ada Lovelace" || tr["slug"] != "sandbox" {
			t.Errorf("tracking %v: emails %v, customer %v, slug %v", tr["tracking_number"], emails, tr["customer_name"], tr["slug"])
		}
	}

	// The merchant's dropshipments link to the integration's pages.
	for _, id := range dropshipments {
		var link string
		eventually(t, fmt.Sprintf("dropshipment %d's trackingUrl", id), 2*time.Minute, func() bool {
			_, d := doJSON(t, "GET", fmt.Sprintf("%s/api/dropshipments/%d.json", m.onport.URL, id), bootstrapKey, "", nil)
			link, _ = obj(d)["trackingUrl"].(string)
			return strings.HasPrefix(link, m.waybill.URL+"/t/")
		})
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(page), "SBX") {
			t.Errorf("page %s: %d", link, res.StatusCode)
		}
	}

	// The sandbox journey of the first parcel reaches the merchant as
	// tracking events, ending delivered.
	eventually(t, "a delivered tracking event on the merchant's Onport", 2*time.Minute, func() bool {
		_, evs := doJSON(t, "GET", fmt.Sprintf("%s/api/tracking-events.json?where[dropshipmentId]=%d", m.onport.URL, dropshipments[0]), bootstrapKey, "", nil)
		for _, e := range list(evs) {
			if e["status"] == "delivered" {
				return true
			}
		}
		return false
	})
	_, evs := doJSON(t, "GET", fmt.Sprintf("%s/api/tracking-events.json?where[dropshipmentId]=%d", m.onport.URL, dropshipments[0]), bootstrapKey, "", nil)
	var statuses []string
	for _, e := range list(evs) {
		statuses = append(statuses, fmt.Sprint(e["status"], "/", e["subStatus"]))
	}
	if len(statuses) < 2 {
		t.Errorf("tracking events %v: want the journey, not only its end", statuses)
	}

	// Still one order and two trackings, and never over Onport's budget.
	trackings, sales, _ = m.integration(t)
	if len(trackings) != 2 || len(sales) != 1 {
		t.Errorf("%d trackings and %d orders at the end", len(trackings), len(sales))
	}
	if fast := m.door.tooFast(); fast != "" {
		t.Errorf("over the throttle: %s", fast)
	}
	m.door.mu.Lock()
	t.Logf("%s chaos=%v: %d GETs and %d writes reached Onport (%d answered 429, %d answered 500); tracking events %v",
		engine, chaos, len(m.door.gets), len(m.door.writes), m.door.refused, m.door.fails, statuses)
	if chaos && (m.door.refused == 0 || m.door.fails == 0) {
		t.Error("the chaos never struck: the test proved nothing")
	}
	m.door.mu.Unlock()
}

// TestOnportConnectorCrash kills the integration with SIGKILL at random
// moments while the merchant's Onport sells, ships and sends its webhooks,
// restarting it each time. Onport sends again what was not answered 200,
// so every acknowledged webhook must end as its order and trackings, and
// none twice.
func TestOnportConnectorCrash(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { connectorCrash(t, engine) })
	}
}

func connectorCrash(t *testing.T, engine string) {
	const sales = 5
	m := newMerchant(t, engine, true, true)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range sales {
		m.sell(t, fmt.Sprintf("C%d", i), [2]string{fmt.Sprintf("SBXDELIVERED%04d", 2*i), fmt.Sprintf("SBXPICKUP%04d", 2*i+1)})
		time.Sleep(time.Duration(rng.IntN(900)) * time.Millisecond)
		m.waybill.kill(t)
		m.waybill = m.waybill.restart(t)
	}
	eventually(t, "every order and tracking", 4*time.Minute, func() bool {
		tr, s, d := m.integration(t)
		return len(tr) >= 2*sales && len(s) >= sales && len(d) >= 2*sales
	})
	// Let any late repeat land before counting.
	time.Sleep(3 * time.Second)
	trackings, orders, dropshipments := m.integration(t)
	numbers := map[string]int{}
	for _, tr := range trackings {
		numbers[fmt.Sprint(tr["tracking_number"])]++
	}
	t.Logf("%s: %d kills; %d orders, %d trackings, %d dropshipments", engine, sales, len(orders), len(trackings), len(dropshipments))
	if len(orders) != sales || len(trackings) != 2*sales || len(dropshipments) != 2*sales || len(numbers) != 2*sales {
		t.Errorf("want %d orders, %d trackings and dropshipments, each once; numbers %v", sales, 2*sales, numbers)
	}
	for _, o := range orders {
		if len(list(o["sale_items"])) != 2 || obj(o, "customer")["email"] != "ada@example.com" {
			t.Errorf("order %v", o["reference"])
		}
	}
}

// TestOnportSyncBackfills: shipments made before any webhook was set come
// in with 'waybill onport sync', which shows its progress; a second sync
// queues nothing new.
func TestOnportSyncBackfills(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			m := newMerchant(t, engine, false, false)
			m.sell(t, "B1", [2]string{"SBXDELIVERED7001", "SBXDELIVERED7002"})
			m.sell(t, "B2", [2]string{"SBXDELIVERED7003", "SBXDELIVERED7004"})
			sync := func() string {
				cmd := exec.Command(binary, "onport", "sync", "--org", "default", "--since", "2026-01-01")
				cmd.Env = append(append([]string{}, m.waybill.env...), m.waybillEnv...)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("onport sync: %v\n%s", err, out)
				}
				return string(out)
			}
			out := sync()
			t.Logf("first sync:\n%s", out)
			if !strings.Contains(out, "page 1: 4 dropshipments seen, 4 queued for import") {
				t.Errorf("first sync printed %q", out)
			}
			eventually(t, "the backfilled orders", 2*time.Minute, func() bool {
				tr, s, _ := m.integration(t)
				return len(tr) == 4 && len(s) == 2
			})
			if out := sync(); !strings.Contains(out, "done: 4 dropshipments seen, 0 queued") {
				t.Errorf("second sync printed %q", out)
			}
			// A date the filter cannot read is refused by the merchant's Onport.
			_, bad := doJSON(t, "GET", m.onport.URL+"/api/dropshipments.json?where[createdAt][$gte]=soon", bootstrapKey, "", nil)
			if !strings.Contains(fmt.Sprint(bad), "$gte") {
				t.Errorf("a bad date filter answered %v", bad)
			}
		})
	}
}
