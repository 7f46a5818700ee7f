package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
)

// concurrentKind is one operation the database must keep consistent under
// concurrency. prepare makes a fresh fixture (its own organization), send
// performs request i against it and answers a normalized answer (what a
// client can tell apart: status and which record), and state reads the end
// state as a comparable summary.
type concurrentKind struct {
	name    string
	prepare func(t *testing.T, c *concurrencyRig) *fixture
	send    func(t *testing.T, f *fixture, i int) string
	state   func(t *testing.T, f *fixture) string
	// want is the end state the issue describes, checked on the sequential
	// run too, so that both runs cannot agree on a wrong answer.
	want string
}

// fixture is what one run of a kind works on.
type fixture struct {
	rig   *concurrencyRig
	org   int64
	key   string
	ids   map[string]int64
	first sync.Map // answer normalization: the record the first answer named
}

// concurrencyRig is a running `waybill serve` and a small pool on its
// database for reading end states.
type concurrencyRig struct {
	p      *process
	st     *store.Store
	db     *sql.DB
	client *http.Client
	orgs   int
}

// TestConcurrentIdenticalRequests fires 50 concurrent identical requests
// of each kind at a running `waybill serve`, on each engine, and checks
// that the answers and the end state are those of the same 50 requests
// sent one by one to a fresh organization. Before the database did the
// concurrency (row locks and INSERT … ON CONFLICT), PostgreSQL lost 6 of 10
// recipients, made several dropshipments of one tracking number, answered
// "already exists" to identical sync sales, and let an organization exceed
// its 10 webhook endpoints; identical pushes of a checkpoint for a new
// tracking raced for its creation.
func TestConcurrentIdenticalRequests(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	kinds := []concurrentKind{notificationAdds, shipByTrackingNumber, syncSaleIdempotency, webhookEndpointCap, checkpointPushes}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			p := startServe(t, dbURL, "WAYBILL_LOG_LEVEL=warn", "WAYBILL_RATE_LIMIT_V4=0", "WAYBILL_RATE_LIMIT_SCALE=0")
			st, err := store.Open(t.Context(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			st.Writer().SetMaxOpenConns(2)
			defer func() {
				if t.Failed() {
					t.Logf("waybill serve said:\n%s", tail(p.stderr.String(), 3000))
				}
			}()
			rig := &concurrencyRig{p: p, st: st, db: st.Writer(),
				client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
			for _, k := range kinds {
				t.Run(k.name, func(t *testing.T) {
					const n = 50
					par := k.prepare(t, rig)
					answers := make([]string, n)
					var wg sync.WaitGroup
					start := make(chan struct{})
					for i := range n {
						wg.Go(func() { <-start; answers[i] = k.send(t, par, i) })
					}
					close(start)
					wg.Wait()

					seq := k.prepare(t, rig)
					seqAnswers := make([]string, n)
					for i := range n {
						seqAnswers[i] = k.send(t, seq, i)
					}
					if got, want := tally(answers), tally(seqAnswers); got != want {
						t.Errorf("answers of %d concurrent requests: %s\none by one: %s", n, got, want)
					}
					gotState, seqState := k.state(t, par), k.state(t, seq)
					if seqState != k.want {
						t.Errorf("end state one by one: %s, want %s", seqState, k.want)
					}
					if gotState != seqState {
						t.Errorf("end state of %d concurrent requests: %s\none by one: %s", n, gotState, seqState)
					}
				})
			}
		})
	}
}

// tally counts equal answers, in a stable order.
func tally(answers []string) string {
	counts := map[string]int{}
	for _, a := range answers {
		counts[a]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%dx %s; ", counts[k], k)
	}
	return b.String()
}

// newFixture creates an organization and its key, as `waybill org create`
// does, through the rig's small pool (a CLI process per organization would
// open a pool of its own each time).
func (c *concurrencyRig) newFixture(t *testing.T) *fixture {
	t.Helper()
	c.orgs++
	org, key, err := (&tenant.Service{Store: c.st}).CreateOrg(t.Context(), fmt.Sprintf("race-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), c.orgs))
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return &fixture{rig: c, org: org.ID, key: key, ids: map[string]int64{}}
}

// do sends one request with the organization's key in the header each face
// reads (AfterShip, the admin face and Onport's bearer token all at once),
// and returns the status and the decoded body.
func (f *fixture) do(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, f.rig.p.URL+path, rd)
	req.Header.Set("aftership-api-key", f.key)
	req.Header.Set("as-api-key", f.key)
	req.Header.Set("Authorization", "Bearer "+f.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := f.rig.client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// count runs a COUNT query scoped to the fixture's organization ($1).
func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.rig.db.QueryRow(query, append([]any{f.org}, args...)...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// references lists the references of the organization's dropshipments.
func (f *fixture) references(t *testing.T) []string {
	t.Helper()
	rows, err := f.rig.db.Query(`SELECT doc FROM dropshipments WHERE org_id = $1 ORDER BY id`, f.org)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var doc string
		var d struct {
			Reference string `json:"reference"`
		}
		if err := rows.Scan(&doc); err != nil || json.Unmarshal([]byte(doc), &d) != nil {
			t.Fatalf("read dropshipment: %v (%s)", err, doc)
		}
		refs = append(refs, d.Reference)
	}
	return refs
}

// sameAs names the record an answer is about relative to the first answer
// of its run: "first" or "another".
func (f *fixture) sameAs(id any) string {
	first, _ := f.first.LoadOrStore("id", fmt.Sprint(id))
	if first == fmt.Sprint(id) {
		return "the same record"
	}
	return "another record"
}

func (f *fixture) channelAndSale(t *testing.T) {
	t.Helper()
	status, ch := f.do(t, "POST", "/v1/channels", map[string]any{"name": "race"})
	if status != 201 {
		t.Fatalf("create channel: %d %v", status, ch)
	}
	f.ids["channel"] = int64(ch["id"].(float64))
}

func raceSaleBody() map[string]any {
	return map[string]any{
		"externalId": "RACE-1",
		"customer":   map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
		"saleDefaults": map[string]any{"reference": "R-1", "tags": []string{"rush"},
			"shippingEmail": "ada@example.com", "shippingCountry": "GB"},
		"lineItems": []any{
			map[string]any{"externalId": "L1", "name": "Mug", "quantity": 1, "price": 9.5, "properties": []any{map[string]any{"key": "vendor", "value": "vendor-a"}}},
			map[string]any{"externalId": "L2", "name": "Tee", "quantity": 2, "price": 15, "properties": []any{map[string]any{"key": "vendor", "value": "vendor-a"}}},
		},
	}
}

// notificationAdds: 50 adds of recipients to one tracking, five of each of
// ten addresses. Every address must survive and duplicates merge.
var notificationAdds = concurrentKind{
	name: "notification_adds",
	prepare: func(t *testing.T, c *concurrencyRig) *fixture {
		f := c.newFixture(t)
		status, body := f.do(t, "POST", "/v4/trackings", map[string]any{"tracking": map[string]any{"slug": "dhl", "tracking_number": "1234567890"}})
		if status != 201 {
			t.Fatalf("create tracking: %d %v", status, body)
		}
		return f
	},
	send: func(t *testing.T, f *fixture, i int) string {
		status, _ := f.do(t, "POST", "/v4/notifications/dhl/1234567890/add",
			map[string]any{"notification": map[string]any{"emails": []string{fmt.Sprintf("r%d@example.com", i%10)}}})
		return fmt.Sprint(status)
	},
	state: func(t *testing.T, f *fixture) string {
		status, body := f.do(t, "GET", "/v4/notifications/dhl/1234567890", nil)
		if status != 200 {
			t.Fatalf("get notifications: %d %v", status, body)
		}
		var emails []string
		for _, e := range body["data"].(map[string]any)["notification"].(map[string]any)["emails"].([]any) {
			emails = append(emails, e.(string))
		}
		slices.Sort(emails)
		return fmt.Sprintf("%d emails %v", len(emails), emails)
	},
	want: "10 emails [r0@example.com r1@example.com r2@example.com r3@example.com r4@example.com r5@example.com r6@example.com r7@example.com r8@example.com r9@example.com]",
}

// shipByTrackingNumber: 50 ships of one purchase with one tracking number
// make one dropshipment, one tracking and one fulfillment event.
var shipByTrackingNumber = concurrentKind{
	name: "ship_by_tracking_number",
	prepare: func(t *testing.T, c *concurrencyRig) *fixture {
		f := c.newFixture(t)
		f.channelAndSale(t)
		status, sale := f.do(t, "POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", f.ids["channel"]), raceSaleBody())
		if status != 201 {
			t.Fatalf("manual sale: %d %v", status, sale)
		}
		f.ids["purchase"] = int64(sale["purchases"].([]any)[0].(map[string]any)["id"].(float64))
		return f
	},
	send: func(t *testing.T, f *fixture, i int) string {
		status, d := f.do(t, "POST", fmt.Sprintf("/api/purchases/%d/ship.json", f.ids["purchase"]),
			map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"})
		if status >= 300 {
			return fmt.Sprint(status)
		}
		return fmt.Sprintf("%d %s", status, f.sameAs(d["id"]))
	},
	state: func(t *testing.T, f *fixture) string {
		return fmt.Sprintf("%d dropshipments %v, %d dropshipment lines, %d trackings, %d fulfillment events",
			f.count(t, `SELECT COUNT(*) FROM dropshipments WHERE org_id = $1`), f.references(t),
			f.count(t, `SELECT COUNT(*) FROM dropshipment_items WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM trackings WHERE org_id = $1 AND tracking_number = $2`, "1Z999AA10123456784"),
			f.count(t, `SELECT COUNT(*) FROM events WHERE org_id = $1 AND type = $2`, "dropshipment.fulfillment"))
	},
	want: "1 dropshipments [R-1-01-01], 2 dropshipment lines, 1 trackings, 1 fulfillment events",
}

// syncSaleIdempotency: 50 identical synchronous manual sales make one sale;
// the first answers 201, the others 200 with the same sale.
var syncSaleIdempotency = concurrentKind{
	name: "sync_sale_idempotency",
	prepare: func(t *testing.T, c *concurrencyRig) *fixture {
		f := c.newFixture(t)
		f.channelAndSale(t)
		return f
	},
	send: func(t *testing.T, f *fixture, i int) string {
		status, s := f.do(t, "POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", f.ids["channel"]), raceSaleBody())
		if status >= 300 {
			return fmt.Sprintf("%d %v", status, s["errors"])
		}
		return fmt.Sprintf("%d %s", status, f.sameAs(s["id"]))
	},
	state: func(t *testing.T, f *fixture) string {
		return fmt.Sprintf("%d sales, %d lines, %d customers, %d purchases, %d purchase lines, %d sale.dropship events",
			f.count(t, `SELECT COUNT(*) FROM sales WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM sale_items WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM customers WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM purchases WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM purchase_items WHERE org_id = $1`),
			f.count(t, `SELECT COUNT(*) FROM events WHERE org_id = $1 AND type = $2`, "sale.dropship"))
	},
	want: "1 sales, 2 lines, 1 customers, 1 purchases, 2 purchase lines, 1 sale.dropship events",
}

// webhookEndpointCap: 50 identical endpoint creates leave the
// organization's 10; the rest are refused with 409.
var webhookEndpointCap = concurrentKind{
	name:    "webhook_endpoint_cap",
	prepare: func(t *testing.T, c *concurrencyRig) *fixture { return c.newFixture(t) },
	send: func(t *testing.T, f *fixture, i int) string {
		status, _ := f.do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/in"})
		return fmt.Sprint(status)
	},
	state: func(t *testing.T, f *fixture) string {
		status, body := f.do(t, "GET", "/v1/webhooks", nil)
		if status != 200 {
			t.Fatalf("list webhooks: %d %v", status, body)
		}
		return fmt.Sprintf("%d endpoints listed, %d stored", len(body["webhooks"].([]any)),
			f.count(t, `SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $1`))
	},
	want: "10 endpoints listed, 10 stored",
}

// checkpointPushes: 50 identical pushes of one checkpoint for a tracking
// nobody has yet make one tracking with one checkpoint and one event; the
// first answers 201, the others 200 with nothing added.
var checkpointPushes = concurrentKind{
	name:    "checkpoint_pushes",
	prepare: func(t *testing.T, c *concurrencyRig) *fixture { return c.newFixture(t) },
	send: func(t *testing.T, f *fixture, i int) string {
		status, res := f.do(t, "POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": "PUSH0001",
			"checkpoints": []map[string]any{{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Shipment picked up",
				"city": "Leipzig", "country_region": "DE", "tag": "InTransit", "subtag": "InTransit_002"}}})
		if status >= 300 {
			return fmt.Sprintf("%d %v", status, res["error"])
		}
		return fmt.Sprintf("%d %s, %v added, %d events", status, f.sameAs(res["tracking_id"]), res["checkpoints_added"], len(res["events"].([]any)))
	},
	state: func(t *testing.T, f *fixture) string {
		status, body := f.do(t, "GET", "/v4/trackings/dhl/PUSH0001", nil)
		if status != 200 {
			t.Fatalf("get tracking: %d %v", status, body)
		}
		tr := body["data"].(map[string]any)["tracking"].(map[string]any)
		return fmt.Sprintf("%d trackings, %d checkpoints, tag %v, %d tracking events",
			f.count(t, `SELECT COUNT(*) FROM trackings WHERE org_id = $1`), len(tr["checkpoints"].([]any)), tr["tag"],
			f.count(t, `SELECT COUNT(*) FROM events WHERE org_id = $1 AND tracking_id <> ''`))
	},
	want: "1 trackings, 1 checkpoints, tag InTransit, 1 tracking events",
}
