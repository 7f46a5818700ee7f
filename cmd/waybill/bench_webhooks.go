package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill/internal/loadgen"
)

// benchWebhooks measures webhook delivery against a running Waybill: it
// starts a receiver on loopback, gives each organization key ten endpoints
// pointing at it, pushes tag-changing checkpoints at a fixed rate, and
// reports deliveries received per second and the latency from sending a
// push to the first delivery of each event it caused.
//
// With --backlog N it pushes N events to a server that attempts no
// deliveries (WAYBILL_WEBHOOK_WORKERS=0), writes --pushed-file, and waits
// while the caller starts a server that delivers: it then reports the
// delivery rate alone, from the first delivery received to the last.
//
//	waybill bench webhooks --url BASE --keys K1,K2,... --rate 50 --duration 10s
//	waybill bench webhooks --url BASE --keys K1,K2,... --rate 300 --backlog 3000 --pushed-file F
func benchWebhooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		base, keys      *string
		perOrg          *int
		rate            *float64
		duration, drain *time.Duration
		warmup          *time.Duration
		jsonOut         *bool
		backlog         *int
		pushedFile      *string
	)
	err := parseBench("webhooks", args, stderr, func(fs *flag.FlagSet) {
		base = fs.String("url", "http://127.0.0.1:8080", "Waybill base URL (loopback)")
		keys = fs.String("keys", "", "comma-separated API keys, one per organization")
		perOrg = fs.Int("endpoints", 10, "endpoints per organization (at most 10)")
		rate = fs.Float64("rate", 50, "checkpoint pushes per second")
		duration = fs.Duration("duration", 10*time.Second, "how long to push")
		drain = fs.Duration("drain", 60*time.Second, "how long to wait for deliveries after the last push")
		warmup = fs.Duration("warmup", 0, "push this long first, unmeasured (tracking numbers of its own), and wait for those deliveries")
		jsonOut = fs.Bool("json", false, "print the result as JSON")
		backlog = fs.Int("backlog", 0, "push this many events (at --rate) to a server that delivers none, write --pushed-file, and time the deliveries that follow")
		pushedFile = fs.String("pushed-file", "", "with --backlog: the file written once every push has answered")
	})
	if err != nil {
		return err
	}
	orgKeys := splitNonEmpty(*keys)
	if len(orgKeys) == 0 {
		return fmt.Errorf("--keys is required")
	}
	if *backlog > 0 && (*pushedFile == "" || *warmup > 0) {
		return fmt.Errorf("--backlog needs --pushed-file, and no --warmup")
	}

	// The receiver records when each event first arrives and counts all.
	var mu sync.Mutex
	first := map[string]time.Time{}
	received := 0
	var firstArrival, lastArrival time.Time
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	recv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		id := r.Header.Get("webhook-id")
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		received++
		if received == 1 {
			firstArrival = now
		}
		lastArrival = now
		if _, ok := first[id]; !ok {
			first[id] = now
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = recv.Serve(l) }()
	defer recv.Close()

	client := loadgen.NewClient(64)
	// As a load balancer would: no traffic before the server says it is
	// ready (on PostgreSQL, once its database connections are warm).
	if err := awaitReady(ctx, client, *base, time.Minute); err != nil {
		return err
	}
	call := func(key, method, path string, body any) (int, map[string]any, error) {
		data, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, method, *base+path, bytes.NewReader(data))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("as-api-key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out, nil
	}
	endpoints := 0
	for i, key := range orgKeys {
		for j := 0; j < *perOrg; j++ {
			status, out, err := call(key, "POST", "/v1/webhooks", map[string]any{
				"url": fmt.Sprintf("http://%s/org%d/hook%d", l.Addr(), i, j), "events": []string{"tracking_update"}})
			if err != nil || status != http.StatusCreated {
				return fmt.Errorf("create endpoint %d of key %d: status %d %v %v", j, i, status, out, err)
			}
			endpoints++
		}
	}

	// Push at the rate; each push moves one tracking to another tag, so it
	// causes exactly one tracking_update event, delivered to every endpoint
	// of its organization. pushFor pushes for d, tracking numbers starting
	// with prefix (at most limit pushes when limit > 0), and gives each event's push time, the pushes' latencies
	// (all, and those sent in the first coldWindow: a fresh server's start
	// shows there) and how many were pushed and failed.
	tags := []string{"InTransit", "OutForDelivery", "AttemptFail"}
	pushFor := func(prefix string, d time.Duration, limit int) (sent map[string]pushed, pushLat, firstLat *loadgen.Histogram, perSecond []*loadgen.Histogram, pushes, failed int) {
		sent, pushLat, firstLat = map[string]pushed{}, &loadgen.Histogram{}, &loadgen.Histogram{}
		perSecond = make([]*loadgen.Histogram, int(d/time.Second)+1)
		for i := range perSecond {
			perSecond[i] = &loadgen.Histogram{}
		}
		var sentMu sync.Mutex
		var wg sync.WaitGroup
		interval := time.Duration(float64(time.Second) / *rate)
		start := time.Now()
		runID := start.UnixNano() % 1_000_000
		for n := 0; time.Since(start) < d && (limit == 0 || n < limit); n++ {
			if d := time.Until(start.Add(time.Duration(n) * interval)); d > 0 {
				time.Sleep(d)
			}
			key := orgKeys[n%len(orgKeys)]
			body := map[string]any{"slug": "dhl", "tracking_number": fmt.Sprintf("%s%d%04d", prefix, runID, n/len(orgKeys)%200),
				"checkpoints": []map[string]any{{"checkpoint_time": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute).Format(time.RFC3339),
					// Pushes to one tracking are 200 x len(keys) apart, not a multiple
					// of 3 for 10 keys, so every push changes its tag.
					"message": fmt.Sprintf("scan %d", n), "tag": tags[n%len(tags)]}}}
			pushes++
			offset := time.Duration(n) * interval
			inFirst := offset < coldWindow
			secondIndex := min(int(offset/time.Second), len(perSecond)-1)
			second := perSecond[secondIndex]
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				status, out, err := call(key, "POST", "/v1/checkpoints", body)
				sentMu.Lock()
				defer sentMu.Unlock()
				if err != nil || status/100 != 2 {
					failed++
					return
				}
				t1 := time.Now()
				events, _ := out["events"].([]any)
				pushLat.Record(t1.Sub(t0))
				second.Record(t1.Sub(t0))
				if inFirst {
					firstLat.Record(t1.Sub(t0))
				}
				for _, e := range events {
					sent[e.(string)] = pushed{sent: t0, answered: t1, second: secondIndex}
				}
			}()
		}
		wg.Wait()
		return sent, pushLat, firstLat, perSecond, pushes, failed
	}
	// awaitDeliveries waits, up to the drain, until want deliveries arrived.
	awaitDeliveries := func(want int) {
		for deadline := time.Now().Add(*drain); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			mu.Lock()
			done := received >= want
			mu.Unlock()
			if done {
				return
			}
		}
	}
	if *warmup > 0 {
		// A fresh server's first seconds (new database connections planning
		// their statements) are measured only without a warm-up.
		warm, _, _, _, _, _ := pushFor("WU", *warmup, 0)
		awaitDeliveries(len(warm) * *perOrg)
		mu.Lock()
		first, received, firstArrival, lastArrival = map[string]time.Time{}, 0, time.Time{}, time.Time{}
		mu.Unlock()
	}
	if *backlog > 0 {
		// Pushed at the rate, to a server that delivers none: the backlog
		// of an outage of delivery. Nothing should arrive meanwhile.
		pushStart := time.Now()
		sent, _, _, _, pushes, failed := pushFor("BL", time.Duration(float64(*backlog) / *rate * float64(time.Second))+time.Minute, *backlog)
		pushSeconds := time.Since(pushStart).Seconds()
		mu.Lock()
		early := received
		mu.Unlock()
		cpuPushed := procCPU(os.Getpid())
		if err := os.WriteFile(*pushedFile, []byte("pushed\n"), 0o600); err != nil {
			return err
		}
		// The caller now starts a server that delivers; the rate runs
		// from the first delivery received to the last, its CPU (the
		// receiver's alone) over the same time.
		awaitDeliveries(len(sent) * *perOrg)
		cpuEnd := procCPU(os.Getpid())
		mu.Lock()
		defer mu.Unlock()
		missing := 0
		for id := range sent {
			if _, ok := first[id]; !ok {
				missing++
			}
		}
		res := map[string]any{
			"endpoints": endpoints, "organizations": len(orgKeys), "pushes": pushes, "failed_pushes": failed,
			"events": len(sent), "deliveries_expected": len(sent) * *perOrg, "deliveries_received": received,
			"delivered_while_paused": early, "push_seconds": pushSeconds, "events_missing": missing,
			"first_delivery_unix": float64(firstArrival.UnixMicro()) / 1e6, "last_delivery_unix": float64(lastArrival.UnixMicro()) / 1e6,
		}
		if d := lastArrival.Sub(firstArrival); received > 1 && d > 0 {
			res["drain_seconds"] = d.Seconds()
			res["backlog_deliveries_per_second"] = float64(received-1) / d.Seconds()
		}
		if cpuEnd > 0 && received > 0 { // the receiver's, while the server restarts and delivers
			res["drain_client_cpu_us_per_delivery"] = float64((cpuEnd - cpuPushed).Microseconds()) / float64(received)
		}
		if *jsonOut {
			return json.NewEncoder(stdout).Encode(res)
		}
		_, err = fmt.Fprintf(stdout, "backlog: events=%d deliveries=%d/%d pushed in %.1fs, delivered at %.0f/s, missing=%d failed_pushes=%d\n",
			len(sent), received, len(sent)**perOrg, pushSeconds, res["backlog_deliveries_per_second"], missing, failed)
		return err
	}
	start := time.Now()
	self := os.Getpid()
	cpuStart := procCPU(self)
	sent, pushLat, firstLat, perSecond, pushes, failed := pushFor("WH", *duration, 0)
	pushEnd := time.Now()
	cpuPushEnd := procCPU(self)
	mu.Lock()
	receivedAtPushEnd := received
	mu.Unlock()
	wantDeliveries := len(sent) * *perOrg
	awaitDeliveries(wantDeliveries)
	cpuEnd := procCPU(self)
	mu.Lock()
	defer mu.Unlock()
	var lat loadgen.Histogram
	missing := 0
	for id, p := range sent {
		if t, ok := first[id]; ok {
			lat.Record(t.Sub(p.sent))
		} else {
			missing++
		}
	}
	span := lastArrival.Sub(start)
	// The rate after the last push: the backlog's drain, which measures
	// delivery alone when the pushes outran it (0 when nothing was left).
	drainRate := 0.0
	if d := lastArrival.Sub(pushEnd); received > receivedAtPushEnd && d > 0 {
		drainRate = float64(received-receivedAtPushEnd) / d.Seconds()
	}
	res := map[string]any{
		"endpoints": endpoints, "organizations": len(orgKeys), "pushes": pushes, "failed_pushes": failed,
		"events": len(sent), "deliveries_expected": wantDeliveries, "deliveries_received": received,
		"events_missing": missing, "push_seconds": pushEnd.Sub(start).Seconds(), "span_seconds": span.Seconds(),
		"deliveries_per_second": float64(received) / span.Seconds(), "drain_deliveries": received - receivedAtPushEnd,
		"drain_deliveries_per_second": drainRate,
		"first_delivery_p50_ms":       millis(lat.Percentile(50)), "first_delivery_p99_ms": millis(lat.Percentile(99)),
		"first_delivery_max_ms": millis(lat.Max()),
		"push_p50_ms":           millis(pushLat.Percentile(50)), "push_p99_ms": millis(pushLat.Percentile(99)),
		"push_first_2s_p50_ms": millis(firstLat.Percentile(50)), "push_first_2s_p99_ms": millis(firstLat.Percentile(99)),
		"warmup_seconds": warmup.Seconds(), "push_start_unix": float64(start.UnixMicro()) / 1e6, "push_timeline": pushTimeline(perSecond),
		"delivery_timeline": deliveryTimeline(sent, first, len(perSecond)),
	}
	if cpuEnd > 0 && received > 0 { // procCPU is 0 where /proc is not
		// This process's own CPU (pushing, and the receiver: it shares the
		// machine with the server), per delivery received: over the whole
		// run, and over the drain alone (the receiver's, nothing pushed).
		res["client_cpu_us_per_delivery"] = float64((cpuEnd - cpuStart).Microseconds()) / float64(received)
		if n := received - receivedAtPushEnd; n > 0 {
			res["drain_client_cpu_us_per_delivery"] = float64((cpuEnd - cpuPushEnd).Microseconds()) / float64(n)
		}
	}
	if *jsonOut {
		return json.NewEncoder(stdout).Encode(res)
	}
	_, err = fmt.Fprintf(stdout, "endpoints=%d events=%d deliveries=%d/%d in %.1fs (%.0f/s) push->first delivery p50=%.1fms p99=%.1fms missing=%d failed_pushes=%d\n",
		endpoints, len(sent), received, wantDeliveries, span.Seconds(), res["deliveries_per_second"], res["first_delivery_p50_ms"],
		res["first_delivery_p99_ms"], missing, failed)
	return err
}

// awaitReady asks base's /readyz every 100 ms until it answers 200, for at
// most limit.
func awaitReady(ctx context.Context, client *http.Client, base string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if err != nil {
			return err
		}
		if res, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/readyz did not answer 200 within %v", base, limit)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// pushTimeline gives, for each second of the measured pushes (by when each
// was due to be sent), how many succeeded and their latency's p50, p99 and
// maximum in milliseconds: where in the run the slow pushes were.
func pushTimeline(perSecond []*loadgen.Histogram) []map[string]any {
	var out []map[string]any
	for i, h := range perSecond {
		if h.Count() == 0 {
			continue
		}
		out = append(out, map[string]any{"second": i, "pushes": h.Count(), "p50_ms": millis(h.Percentile(50)),
			"p99_ms": millis(h.Percentile(99)), "max_ms": millis(h.Max())})
	}
	return out
}

// pushed is what the bench knows of an event's push: when the push was
// sent and answered, and the second of the run it was due in.
type pushed struct {
	sent, answered time.Time
	second         int
}

// deliveryTimeline gives, for each second of the measured pushes (by when
// each was due to be sent), how many events were delivered and, in
// milliseconds, the p50, p99 and maximum of the time from sending the push
// to the event's first delivery ("first"), and of the part of it after the
// push was answered ("after_answer": the wait for a worker and the
// attempt's POST; a delivery may arrive before its push's answer, 0 then):
// whether a slow second's tail is the push's own or the delivery's.
func deliveryTimeline(sent map[string]pushed, first map[string]time.Time, seconds int) []map[string]any {
	total := make([]loadgen.Histogram, seconds)
	after := make([]loadgen.Histogram, seconds)
	for id, p := range sent {
		t, ok := first[id]
		if !ok {
			continue
		}
		total[p.second].Record(t.Sub(p.sent))
		after[p.second].Record(t.Sub(p.answered)) // Record counts a negative as 0
	}
	var out []map[string]any
	for i := range total {
		if total[i].Count() == 0 {
			continue
		}
		out = append(out, map[string]any{"second": i, "events": total[i].Count(),
			"first_p50_ms": millis(total[i].Percentile(50)), "first_p99_ms": millis(total[i].Percentile(99)), "first_max_ms": millis(total[i].Max()),
			"after_answer_p50_ms": millis(after[i].Percentile(50)), "after_answer_p99_ms": millis(after[i].Percentile(99)), "after_answer_max_ms": millis(after[i].Max())})
	}
	return out
}

// coldWindow is the start of the measured pushes whose latency bench
// webhooks also reports apart (push_first_2s_*): a fresh server's first
// seconds, where new database connections used to be opened.
const coldWindow = 2 * time.Second

func splitNonEmpty(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
