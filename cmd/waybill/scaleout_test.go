package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// onceReceiver is a webhook endpoint that counts deliveries by event id
// (the webhook-id header) and remembers when each first arrived.
type onceReceiver struct {
	mu    sync.Mutex
	got   map[string]int
	first map[string]time.Time
}

func (rc *onceReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	if id != "" {
		if rc.got[id] == 0 {
			rc.first[id] = time.Now()
		}
		rc.got[id]++
	}
	rc.mu.Unlock()
}

func (rc *onceReceiver) snapshot() (map[string]int, map[string]time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	got, first := make(map[string]int, len(rc.got)), make(map[string]time.Time, len(rc.first))
	for k, v := range rc.got {
		got[k] = v
	}
	for k, v := range rc.first {
		first[k] = v
	}
	return got, first
}

// overlapCounter wraps the fake carrier and counts polls of one number
// that overlap in time: two instances polling the same tracking at once.
type overlapCounter struct {
	next     http.Handler
	mu       sync.Mutex
	inFlight map[string]int
	overlaps map[string]int
	starts   []time.Time // of every poll, in order
}

func (o *overlapCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	number, ok := strings.CutPrefix(r.URL.Path, "/api/track/v1/details/")
	if ok {
		o.mu.Lock()
		if o.inFlight[number] > 0 {
			o.overlaps[number]++
		}
		o.starts = append(o.starts, time.Now())
		o.inFlight[number]++
		o.mu.Unlock()
		defer func() { o.mu.Lock(); o.inFlight[number]--; o.mu.Unlock() }()
	}
	o.next.ServeHTTP(w, r)
}

// scaleOutTrail records, by PostgreSQL trigger, which instance (its
// connection's application_name) wrote each row of the tables where
// ingestion, Onport processing and webhook delivery leave their work, and
// each poll applied ("polls": a write of a tracking's document that
// counts a poll, its tracked_count; a claim or a defer changes no
// document, and no other write changes the count).
const scaleOutTrail = `
CREATE TABLE scaleout_trail (tbl TEXT NOT NULL, app TEXT NOT NULL);
CREATE FUNCTION scaleout_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO scaleout_trail VALUES (TG_TABLE_NAME, current_setting('application_name'));
	RETURN NULL;
END $$;
CREATE TRIGGER scaleout_trackings AFTER INSERT ON trackings FOR EACH ROW EXECUTE FUNCTION scaleout_record();
CREATE TRIGGER scaleout_inbound AFTER INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION scaleout_record();
CREATE TRIGGER scaleout_sales AFTER INSERT ON sales FOR EACH ROW EXECUTE FUNCTION scaleout_record();
CREATE TRIGGER scaleout_attempts AFTER INSERT ON delivery_attempts FOR EACH ROW EXECUTE FUNCTION scaleout_record();
CREATE FUNCTION scaleout_poll() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO scaleout_trail VALUES ('polls', current_setting('application_name'));
	RETURN NULL;
END $$;
CREATE TRIGGER scaleout_polls AFTER UPDATE OF doc ON trackings FOR EACH ROW
	WHEN (OLD.doc::jsonb->'tracked_count' IS DISTINCT FROM NEW.doc::jsonb->'tracked_count') EXECUTE FUNCTION scaleout_poll();
`

// TestScaleOutRunsEachJobOnce runs two `waybill serve` instances on one
// PostgreSQL database under a mixed load: v4 creates of UPS trackings
// (each then polled against a fake UPS until delivered), asynchronous
// Onport manual sales on four channels, and a webhook endpoint on loopback
// that receives every event. Both instances must do each kind of work,
// and each unit of work must happen once across them: one tracking per
// acknowledged create, each of its polls claimed from its row and
// applied once (by either instance, no poll job queued), one message and one sale per acknowledged sale, one
// sale.dropship event per sale, exactly as many polls as the journey has
// steps and never two of one number at once, and one delivery per event.
// Midway one instance is killed with SIGKILL while the clients keep
// sending; the survivor must finish every acknowledged piece of work. The
// only repeats allowed are webhooks the killed instance had sent but not
// yet recorded, which arrive twice under the same event id.
func TestScaleOutRunsEachJobOnce(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers
	if testing.Short() {
		t.Skip("scale-out test skipped in -short mode")
	}
	dbURL := testdb.URL(t, store.Postgres) // skips without WAYBILL_TEST_POSTGRES_URL
	const (
		channels       = 4
		clients        = 4 // per kind of request
		webhookWorkers = 8
		// Each tracking takes six polls, of one UPS connection whose
		// budget the instances share (carrier_budgets).
		trackingsPerClient = 15
		// upsRate is that budget (WAYBILL_CARRIER_RATES), calls a second:
		// at UPS's own 5 the 360 polls took a minute, most of the test.
		// Above the polls' pace at rest, it still binds while the
		// trackings are new (six polls each within a few seconds), so that
		// polls wait for the shared budget on both instances.
		upsRate = "ups=40:10"
	)
	fake := upsfake.New(nil)
	carrier := &overlapCounter{next: fake, inFlight: map[string]int{}, overlaps: map[string]int{}}
	ups := httptest.NewServer(carrier)
	t.Cleanup(ups.Close)
	rc := &onceReceiver{got: map[string]int{}, first: map[string]time.Time{}}
	recv := httptest.NewServer(rc)
	t.Cleanup(recv.Close)

	env := []string{"WAYBILL_SECRET_KEY=" + secretbox.GenerateKey(), "WAYBILL_CARRIER_UPS_URL=" + ups.URL, "WAYBILL_POLL_SCALE=0.0001",
		"WAYBILL_CARRIER_RATES=" + upsRate,
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_LOG_LEVEL=warn", "WAYBILL_SHUTDOWN_TIMEOUT=2s",
		"WAYBILL_RATE_LIMIT_V4=0", "WAYBILL_RATE_LIMIT_SCALE=0", fmt.Sprintf("WAYBILL_WEBHOOK_WORKERS=%d", webhookWorkers),
		"WAYBILL_WEBHOOK_RETRY_SCHEDULE=200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s"}
	env = append(env, crashLease...)
	// Each instance names its connections, so that the trail says who wrote what.
	a := startServe(t, dbURL+"&application_name=waybill-a", env...)
	b := startServe(t, dbURL+"&application_name=waybill-b", env...)
	instances := []*process{a, b}
	defer func() {
		if t.Failed() {
			t.Logf("instance a said:\n%s\ninstance b said:\n%s", tail(a.stderr.String(), 3000), tail(b.stderr.String(), 3000))
		}
	}()

	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.Writer()
	if _, err := db.Exec(scaleOutTrail); err != nil {
		t.Fatalf("install the trail: %v", err)
	}

	if status, body := a.callDated(t, "POST", "/tracking/2026-07/courier-connections", map[string]any{"courier_slug": "ups",
		"credentials": map[string]any{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret}}); status != 201 {
		t.Fatalf("create UPS connection: %d %v", status, body)
	}
	if status, body := b.callDated(t, "POST", "/v1/webhooks", map[string]any{"url": recv.URL + "/hook"}); status != 201 {
		t.Fatalf("create webhook: %d %v", status, body)
	}
	var chans []waybill.Channel
	for i := range channels {
		status, body := instances[i%2].callDated(t, "POST", "/v1/channels", map[string]any{"name": fmt.Sprintf("scale-%d", i)})
		if status != 201 {
			t.Fatalf("create channel: %d %v", status, body)
		}
		raw, _ := json.Marshal(body)
		var ch waybill.Channel
		if err := json.Unmarshal(raw, &ch); err != nil || ch.WebhookHash == "" {
			t.Fatalf("channel answer %s: %v", raw, err)
		}
		chans = append(chans, ch)
	}

	// The load: clients of each kind take turns between the instances
	// that are up; only answered requests count as acknowledged.
	var (
		mu         sync.Mutex
		up         = []*process{a, b}
		createdNum = map[string]bool{} // tracking numbers answered 201
		soldExt    = map[string]bool{} // sales answered 200
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send := func(ctx context.Context, url string, body []byte, header [2]string) int {
		req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
		req.Header.Set(header[0], header[1])
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return 0 // cut off mid-answer
		}
		return res.StatusCode
	}
	target := func(i int) *process {
		mu.Lock()
		defer mu.Unlock()
		return up[i%len(up)]
	}
	ctx, stopLoad := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil && i < trackingsPerClient; i++ {
				number := fmt.Sprintf("1ZSCALE%02d%05d", c, i)
				body, _ := json.Marshal(map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": number}})
				if send(ctx, target(c+i).URL+"/v4/trackings", body, [2]string{"aftership-api-key", testKey}) == 201 {
					mu.Lock()
					createdNum[number] = true
					mu.Unlock()
				}
				time.Sleep(100 * time.Millisecond) // paced: each tracking is polled six times and delivers six webhooks
			}
		})
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				ext := fmt.Sprintf("scale-%d-%d", c, i)
				ch := chans[(c+i)%channels]
				if send(ctx, target(c+i+1).URL+"/webhooks/custom-channels/manual-sale.json", manualSaleBody(ext), [2]string{"jetti-webhook-hash", ch.WebhookHash}) == 200 {
					mu.Lock()
					soldExt[ext] = true
					mu.Unlock()
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}

	// Both instances up for a while, then b dies with work in flight on
	// it (polls, deliveries, a processing turn, requests), and the load
	// goes on against a alone.
	eventually(t, "both instances to deliver webhooks and process sales", 2*time.Minute, func() bool {
		trail := trailCounts(t, db)
		return trail["delivery_attempts/waybill-b"] >= 20 && trail["sales/waybill-b"] >= 20 &&
			trail["delivery_attempts/waybill-a"] >= 20 && trail["sales/waybill-a"] >= 20
	})
	before := trailCounts(t, db)
	mu.Lock()
	up = []*process{a}
	mu.Unlock()
	b.kill(t)
	killedAt := time.Now()
	var pollsDue int // polls not yet applied when b died, its own under way among them
	if err := db.QueryRow(`SELECT COUNT(*) FROM poll_schedule WHERE due IS NOT NULL`).Scan(&pollsDue); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	stopLoad()
	wg.Wait()

	mu.Lock()
	numbers, sales := createdNum, soldExt
	mu.Unlock()
	t.Logf("%d creates and %d sales acknowledged; before the kill the instances wrote %v; %d trackings had a poll to come", len(numbers), len(sales), before, pollsDue)
	if len(numbers) < 20 || len(sales) < 20 {
		t.Fatalf("only %d creates and %d sales acknowledged: the test proved little", len(numbers), len(sales))
	}

	// The survivor finishes everything: every acknowledged tracking is
	// delivered, every message processed, every webhook delivery (each
	// committed with its event) received.
	// It fails when nothing moves for two minutes (the survivor takes up
	// the killed instance's running jobs after 90 seconds, queue/rescue.go).
	progress := func() (left int, what string) {
		var undelivered, pending, unsent int
		for number := range numbers {
			if fake.Polls(number) < upsfake.Steps {
				undelivered++
			}
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		got, _ := rc.snapshot()
		rows, err := db.Query(`SELECT e.public_id FROM events e JOIN deliveries d ON d.event_id = e.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			if got[id] == 0 {
				unsent++
			}
		}
		rows.Close()
		var delivered int
		if err := db.QueryRow(`SELECT COUNT(*) FROM trackings WHERE tag = 'Delivered'`).Scan(&delivered); err != nil {
			t.Fatal(err)
		}
		undelivered += len(numbers) - min(delivered, len(numbers))
		return undelivered + pending + unsent, fmt.Sprintf("%d trackings not delivered, %d messages pending, %d events not received", undelivered, pending, unsent)
	}
	least, lastProgress := -1, time.Now()
	for {
		left, what := progress()
		if left == 0 {
			break
		}
		if least < 0 || left < least {
			least, lastProgress = left, time.Now()
		}
		if time.Since(lastProgress) > 2*time.Minute {
			explainJobs(t, db)
			t.Fatalf("stuck: %s (%d UPS track requests)", what, fake.TrackRequests())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a late repeat would land now

	// Ingestion: one tracking per number, one message per sale.
	perKey := func(query string) map[string]int {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			out[k] = n
		}
		return out
	}
	trackings := perKey(`SELECT tracking_number, COUNT(*) FROM trackings GROUP BY tracking_number`)
	for number := range numbers {
		if trackings[number] != 1 {
			t.Errorf("acknowledged create %s: %d trackings, want 1", number, trackings[number])
		}
	}
	for number, n := range trackings {
		if n > 1 {
			t.Errorf("tracking %s stored %d times", number, n)
		}
	}
	msgs := perKey(`SELECT external_id, COUNT(*) FROM inbound_messages GROUP BY external_id`)
	saleRows := perKey(`SELECT external_id, COUNT(*) FROM sales GROUP BY external_id`)
	for ext := range sales {
		if msgs[ext] != 1 || saleRows[ext] != 1 {
			t.Errorf("acknowledged sale %s: %d messages, %d sales; want 1 and 1", ext, msgs[ext], saleRows[ext])
		}
	}
	// Processing: one sale.dropship event per sale.
	events := perKey(`SELECT type, COUNT(*) FROM events GROUP BY type`)
	if events[waybill.EventSaleDropship] != len(saleRows) {
		t.Errorf("%d sale.dropship events for %d sales: a message was processed twice or not at all", events[waybill.EventSaleDropship], len(saleRows))
	}
	// Polls: the fake advances one step per poll, so a delivered tracking
	// polled once per due time took exactly the journey's steps.
	extraPolls := 0
	for number := range numbers {
		if n := fake.Polls(number); n != upsfake.Steps {
			extraPolls++
			if extraPolls <= 5 {
				t.Errorf("tracking %s was polled %d times, want %d", number, n, upsfake.Steps)
			}
		}
	}
	carrier.mu.Lock()
	for number, n := range carrier.overlaps {
		t.Errorf("tracking %s was polled %d times while a poll of it was running", number, n)
	}
	carrier.mu.Unlock()
	// Deliveries: each event once, and one recorded success per delivery;
	// a repeat only for an event the killed instance had sent before it
	// died and not yet recorded.
	got, first := rc.snapshot()
	repeats := 0
	for id, n := range got {
		if n == 1 {
			continue
		}
		repeats++
		if n > 2 || !first[id].Before(killedAt) {
			t.Errorf("event %s delivered %d times, first at %s (the kill at %s)", id, n, first[id].Format("15:04:05.000"), killedAt.Format("15:04:05.000"))
		}
	}
	if repeats > webhookWorkers {
		t.Errorf("%d events delivered twice; the killed instance had at most %d deliveries in flight", repeats, webhookWorkers)
	}
	twice := perKey(`SELECT CAST(delivery_id AS TEXT), COUNT(*) FROM delivery_attempts WHERE outcome = 'success' GROUP BY delivery_id HAVING COUNT(*) > 1`)
	for id, n := range twice {
		t.Errorf("delivery %s has %d successful attempts recorded", id, n)
	}

	// Both instances did each kind of work.
	trail := trailCounts(t, db)
	t.Logf("work by instance: %v; %d webhook repeats after the kill; %d events; at most %d polls started in one second (the budget: %s)", trail, repeats, len(got), carrier.busiestSecond(), upsRate)
	// Polls are claimed from poll_schedule (PollClaims), not jobs:
	// each poll the carrier answered was applied once (its claim ended
	// once, by the poll's transaction), except those the killed instance
	// had under way (at most its 20 workers): their claims were taken
	// again once their lease ended, and the next answer applied. None is
	// left to claim once every tracking is delivered, and no poll job was
	// queued.
	polls := trail["polls/waybill-a"] + trail["polls/waybill-b"]
	carrierPolls := 0
	for number := range trackings {
		carrierPolls += fake.Polls(number)
	}
	var left, pollJobs int
	if err := db.QueryRow(`SELECT COUNT(*) FROM poll_schedule WHERE due IS NOT NULL`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'poll_tracking'`).Scan(&pollJobs); err != nil {
		t.Fatal(err)
	}
	const killedWorkers = 20 // WAYBILL_WORKERS's default
	if polls > carrierPolls || carrierPolls-polls > killedWorkers || left != 0 || pollJobs != 0 {
		t.Errorf("polls: %d claims ended for %d carrier polls of %d trackings, %d left to claim, %d queued as jobs; want %d less at most %d, 0, 0",
			polls, carrierPolls, len(trackings), left, pollJobs, carrierPolls, killedWorkers)
	}
	for _, kind := range []string{"trackings", "polls", "inbound_messages", "sales", "delivery_attempts"} {
		for _, app := range []string{"waybill-a", "waybill-b"} {
			if trail[kind+"/"+app] == 0 {
				t.Errorf("%s wrote no %s", app, kind)
			}
		}
	}
}

// trailCounts reads the scale-out trail as "table/instance" -> rows.
func trailCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT tbl, app, COUNT(*) FROM scaleout_trail GROUP BY tbl, app`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var tbl, app string
		var n int
		if err := rows.Scan(&tbl, &app, &n); err != nil {
			t.Fatal(err)
		}
		out[tbl+"/"+app] = n
	}
	return out
}

// explainJobs logs how many jobs of each kind are in each state, and the
// webhook deliveries by status.
func explainJobs(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, query := range []string{`SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state`,
		`SELECT 'delivery', status, COUNT(*) FROM deliveries GROUP BY status`} {
		rows, err := db.Query(query)
		if err != nil {
			t.Logf("%s: %v", query, err)
			continue
		}
		for rows.Next() {
			var kind, state string
			var n int
			_ = rows.Scan(&kind, &state, &n)
			t.Logf("%s %s: %d", kind, state, n)
		}
		rows.Close()
	}
}

// busiestSecond returns the most polls that started within one second.
func (o *overlapCounter) busiestSecond() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	most := 0
	for i, j := 0, 0; j < len(o.starts); j++ {
		for o.starts[j].Sub(o.starts[i]) >= time.Second {
			i++
		}
		most = max(most, j-i+1)
	}
	return most
}
