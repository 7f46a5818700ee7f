package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/loadgen"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// scaleSample is one seeded tracking the scale benchmark asks about.
type scaleSample struct {
	org                     int64
	id, slug, number, order string
	token, title            string
	created                 time.Time
}

// scaleOpResult is one measured call: its latency figures.
type scaleOpResult struct {
	Name string `json:"name"`
	loadgen.Summary
	// ServerCPUMs is the server process's CPU time (user and system,
	// /proc/PID/stat) during the calls divided by their number; 0 without
	// --pid. The calls that are not HTTP (the store's and the scheduler's)
	// run in this process: theirs is this process's CPU per call.
	ServerCPUMs float64 `json:"server_cpu_ms_per_call"`
	// DBCPUMs is the CPU time of the server's PostgreSQL backends during
	// the HTTP calls divided by their number (--backends); 0 without it.
	DBCPUMs float64 `json:"db_cpu_ms_per_call,omitempty"`
}

// scaleReport is what `waybill bench scale` prints.
type scaleReport struct {
	Engine           string  `json:"engine"`
	Trackings        int64   `json:"trackings"`
	Orgs             int     `json:"orgs"`
	DiskBytes        int64   `json:"disk_bytes"`
	BytesPerTracking float64 `json:"bytes_per_tracking"`
	Concurrency      int     `json:"concurrency"`
	// WarmupCalls is --warmup: the unmeasured calls of each HTTP kind
	// before its measured ones.
	WarmupCalls int             `json:"warmup_calls_per_kind,omitempty"`
	LoadBefore  string          `json:"load_before"`
	LoadAfter   string          `json:"load_after"`
	RSSKB       int64           `json:"rss_kb,omitempty"`
	HWMKB       int64           `json:"hwm_kb,omitempty"`
	Ops         []scaleOpResult `json:"ops"`
}

// benchScale runs `waybill bench scale`: against a database filled by
// `waybill bench seed` and a `waybill serve` on it, it measures each kind
// of read a large account makes, one after another, and prints a JSON
// report: latency of each, bytes on disk per tracking, and the server's
// memory (from /proc/PID/status) after the loads.
func benchScale(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	var (
		base, seedFile string
		pid            int
		requests       int
		concurrency    int
		only           string
		backends       string
		timeline       string
		warmup         int
	)
	err = parseBench("scale", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "the seeded database (WAYBILL_DATABASE_URL)")
		fs.Lookup("database-url").DefValue = config.Mask(cfg.DatabaseURL)
		fs.StringVar(&base, "url", "http://127.0.0.1:8080", "base URL of `waybill serve` on that database")
		fs.StringVar(&seedFile, "seed-file", "", "the JSON `waybill bench seed` printed (for the keys)")
		fs.IntVar(&pid, "pid", 0, "the server's process id, to read its memory; 0 to skip")
		fs.IntVar(&requests, "requests", 200, "calls of each kind")
		fs.IntVar(&concurrency, "concurrency", 4, "calls of one kind in flight at once")
		fs.StringVar(&only, "only", "", "names of the calls to run, separated by ; (default all)")
		fs.StringVar(&backends, "backends", "", "PostgreSQL: the application_name of the server's connections, to read its backends' CPU per call")
		fs.StringVar(&timeline, "timeline", "", "write each call's kind, start and duration to this file (JSON lines)")
		fs.IntVar(&warmup, "warmup", 0, "unmeasured calls of each HTTP kind (not the cursor walk or the replay) before its measured ones; 0 measures from its first call")
	})
	if err != nil {
		return err
	}
	base = strings.TrimRight(base, "/")
	if err := checkTarget(base); err != nil {
		return err
	}
	if seedFile == "" || cfg.DatabaseURL == "" || requests < 1 || concurrency < 1 || warmup < 0 {
		return usageError{errors.New("bench scale: --seed-file and --database-url are required; --requests and --concurrency at least 1, --warmup at least 0")}
	}
	raw, err := os.ReadFile(seedFile)
	if err != nil {
		return fmt.Errorf("bench scale: %w", err)
	}
	var seed seedReport
	if err := json.Unmarshal(raw, &seed); err != nil {
		return fmt.Errorf("bench scale: read %s: %w", seedFile, err)
	}
	keys := map[int64]string{}
	for _, o := range seed.Orgs {
		keys[o.ID] = o.Key
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	rep := scaleReport{Engine: st.Engine(), Orgs: len(seed.Orgs), Concurrency: concurrency, WarmupCalls: warmup, LoadBefore: loadAvg()}
	samples, endpoints, err := scaleSamples(ctx, st, keys, &rep)
	if err != nil {
		return err
	}
	if rep.DiskBytes, err = diskBytes(ctx, st, cfg.DatabaseURL); err != nil {
		return err
	}
	rep.BytesPerTracking = float64(rep.DiskBytes) / float64(max(rep.Trackings, 1))

	want := map[string]bool{}
	for n := range strings.SplitSeq(only, ";") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	client := loadgen.NewClient(concurrency)
	var calls *callTimeline
	if timeline != "" {
		f, err := os.Create(timeline)
		if err != nil {
			return fmt.Errorf("bench scale: %w", err)
		}
		defer f.Close()
		calls = newCallTimeline(client.Transport, f)
		client.Transport = calls
	}
	pick := func() scaleSample { return samples[rand.IntN(len(samples))] }
	get := func(path string, s scaleSample) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err == nil {
			req.Header.Set("aftership-api-key", keys[s.org])
		}
		return req, err
	}
	list := func(query func(s scaleSample) string) loadgen.Request {
		return func(int64) (*http.Request, error) {
			s := pick()
			return get("/v4/trackings?limit=100&"+query(s), s)
		}
	}
	day := func(t time.Time) (string, string) {
		d := t.UTC().Truncate(24 * time.Hour)
		return d.Format(time.RFC3339), d.Add(24 * time.Hour).Format(time.RFC3339)
	}
	type op struct {
		name  string
		build loadgen.Request
		run   func() (*loadgen.Result, error) // instead of build, for calls that are not HTTP
		// served marks a run whose calls are HTTP calls to the server
		// all the same (the cursor walk): its CPU is the server's.
		served bool
	}
	ops := []op{
		{name: "v4 list, no filter", build: list(func(scaleSample) string { return "" })},
		{name: "v4 list, tag", build: list(func(scaleSample) string {
			return "tag=" + []string{"InTransit", "Delivered", "Exception", "OutForDelivery"}[rand.IntN(4)]
		})},
		{name: "v4 list, slug", build: list(func(s scaleSample) string { return "slug=" + s.slug })},
		{name: "v4 list, created_at range (7 days)", build: list(func(s scaleSample) string {
			return "created_at_min=" + s.created.Add(-7*24*time.Hour).Format(time.RFC3339) + "&created_at_max=" + s.created.Format(time.RFC3339)
		})},
		{name: "v4 list, updated_at range (1 day)", build: list(func(s scaleSample) string {
			a, b := day(s.created.Add(24 * time.Hour))
			return "updated_at_min=" + a + "&updated_at_max=" + b
		})},
		{name: "v4 list, keyword (customer email)", build: list(func(s scaleSample) string {
			return "keyword=" + url.QueryEscape(s.title)
		})},
		{name: "v4 list, order_id", build: list(func(s scaleSample) string { return "order_id=" + url.QueryEscape(s.order) })},
		{name: "v4 list, page 20", build: list(func(scaleSample) string { return "page=20" })},
		{name: "2026-07 cursor paging to the end", served: true, run: func() (*loadgen.Result, error) {
			return cursorWalk(ctx, client, base, keys[samples[0].org])
		}},
		{name: "v4 get by id", build: func(int64) (*http.Request, error) { s := pick(); return get("/v4/trackings/"+s.id, s) }},
		{name: "v4 get by slug/number", build: func(int64) (*http.Request, error) {
			s := pick()
			return get("/v4/trackings/"+s.slug+"/"+url.PathEscape(s.number), s)
		}},
		{name: "tracking page view", build: func(int64) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base+"/t/"+pick().token, nil)
		}},
		{name: "events of a day (replay's read)", build: func(int64) (*http.Request, error) {
			s := pick()
			a, b := day(s.created)
			return get("/v1/events?limit=100&since="+a+"&until="+b, s)
		}},
		{name: "api-logs, page 1", build: func(int64) (*http.Request, error) { s := pick(); return get("/v1/api-logs?limit=100", s) }},
		{name: "api-logs, offset 1000", build: func(int64) (*http.Request, error) {
			s := pick()
			return get("/v1/api-logs?limit=100&offset=1000", s)
		}},
		{name: "expiry sweep: find stale trackings", run: func() (*loadgen.Result, error) {
			return timeCalls(calls, requests, func() error {
				_, err := st.Read().StaleTrackings(ctx, time.Now().Add(-waybill.DefaultExpireAfter), 500)
				return err
			})
		}},
		// The poll scheduler's claim, as the server runs it (tracking.
		// PollClaims: store.ClaimPolls), in a transaction rolled back.
		{name: "poll scheduler: claim 100 due polls", run: func() (*loadgen.Result, error) {
			return timeCalls(calls, max(requests/4, 10), func() error { return measureClaimPolls(ctx, st, 100) })
		}},
		// River's producer on the default queue, which still carries an
		// import's first polls (and the jobs of other kinds there).
		{name: "default queue: promote due jobs and fetch 100", run: func() (*loadgen.Result, error) {
			return timeCalls(calls, max(requests/4, 10), func() error {
				_, _, err := queue.MeasureFetch(ctx, st.Writer(), st.Engine(), 100)
				return err
			})
		}},
		// Last: it writes (deliveries queued for the day's events).
		{name: "event replay of a day", build: func(int64) (*http.Request, error) {
			s := pick()
			a, b := day(s.created)
			req, err := http.NewRequest(http.MethodPost, base+"/v1/webhooks/"+endpoints[s.org]+"/replay?since="+a+"&until="+b, nil)
			if err == nil {
				req.Header.Set("aftership-api-key", keys[s.org])
			}
			return req, err
		}},
	}
	// The same list filters through the store alone: the query and the
	// decoding of the trackings, without HTTP and rendering, so that the
	// database's share of each list call shows.
	for _, f := range []struct {
		name   string
		filter func(s scaleSample) waybill.TrackingFilter
	}{
		{"no filter", func(scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{} }},
		{"tag", func(scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Tags: []string{[]string{"InTransit", "Delivered", "Exception", "OutForDelivery"}[rand.IntN(4)]}}
		}},
		{"slug", func(s scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{Slugs: []string{s.slug}} }},
		{"created_at range (7 days)", func(s scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{CreatedMin: s.created.Add(-7 * 24 * time.Hour), CreatedMax: s.created}
		}},
		{"updated_at range (1 day)", func(s scaleSample) waybill.TrackingFilter {
			d := s.created.Add(24 * time.Hour).Truncate(24 * time.Hour)
			return waybill.TrackingFilter{UpdatedMin: d, UpdatedMax: d.Add(24 * time.Hour)}
		}},
		{"keyword (customer email)", func(s scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{Keyword: s.title} }},
		{"order_id", func(s scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{OrderID: s.order} }},
	} {
		ops = append(ops, op{name: "store list, " + f.name, run: func() (*loadgen.Result, error) {
			return timeCalls(calls, requests, func() error {
				s := pick()
				filter := f.filter(s)
				filter.Limit = 100
				_, err := st.Read().ListTrackings(ctx, s.org, filter)
				return err
			})
		}})
	}
	// The replay goes last: it writes.
	ops = append(ops[:len(ops)-8], append(ops[len(ops)-7:], ops[len(ops)-8])...)
	for _, o := range ops {
		if len(want) > 0 && !want[o.name] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "bench scale: %s\n", o.name)
		replay := strings.HasPrefix(o.name, "event replay")
		if warmup > 0 && o.build != nil && !replay {
			// Unmeasured: the kind's first calls read its pages from disk
			// into the database's caches (scale.md, session 10).
			calls.setOp(o.name + " (warm-up)")
			loadgen.Run(ctx, client, o.build, loadgen.Options{Concurrency: concurrency, Duration: time.Hour, MaxRequests: int64(warmup)})
		}
		calls.setOp(o.name)
		var res *loadgen.Result
		cpuPID := pid
		if o.run != nil && !o.served {
			cpuPID = os.Getpid()
		}
		cpuBefore := procCPU(cpuPID)
		var dbBefore map[int]time.Duration
		if backends != "" && cpuPID == pid {
			if dbBefore, err = (backendCPU{st.Writer(), backends}).snapshot(ctx); err != nil {
				return err
			}
		}
		if o.run != nil {
			if res, err = o.run(); err != nil {
				return fmt.Errorf("bench scale: %s: %w", o.name, err)
			}
		} else {
			n := requests
			if replay {
				n = max(requests/10, 5)
			}
			res = loadgen.Run(ctx, client, o.build, loadgen.Options{Concurrency: concurrency, Duration: time.Hour, MaxRequests: int64(n)})
		}
		sum := res.Summary()
		var cpuMs float64
		if cpuPID > 0 && res.Requests > 0 {
			cpuMs = (procCPU(cpuPID) - cpuBefore).Seconds() * 1000 / float64(res.Requests)
		}
		var dbMs float64
		if dbBefore != nil && res.Requests > 0 {
			after, err := (backendCPU{st.Writer(), backends}).snapshot(ctx)
			if err != nil {
				return err
			}
			dbMs = backendCPUSince(dbBefore, after).Seconds() * 1000 / float64(res.Requests)
		}
		fmt.Fprintf(stderr, "  p50 %.1f ms, p99 %.1f ms, CPU %.2f ms per call (backends %.2f), %d errors %s\n", sum.P50, sum.P99, cpuMs, dbMs, sum.Errors, sum.FirstError)
		rep.Ops = append(rep.Ops, scaleOpResult{Name: o.name, Summary: sum, ServerCPUMs: cpuMs, DBCPUMs: dbMs})
	}
	if pid > 0 {
		rep.RSSKB, rep.HWMKB = procMemory(pid)
	}
	rep.LoadAfter = loadAvg()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// scaleSamples picks up to 500 seeded trackings at random (by key) and
// each organization's webhook endpoint, and counts the trackings.
func scaleSamples(ctx context.Context, st *store.Store, keys map[int64]string, rep *scaleReport) ([]scaleSample, map[int64]string, error) {
	db := st.Writer()
	var maxID int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM trackings").Scan(&rep.Trackings, &maxID); err != nil {
		return nil, nil, fmt.Errorf("bench scale: count trackings: %w", err)
	}
	if maxID == 0 {
		return nil, nil, errors.New("bench scale: the database has no trackings: run `waybill bench seed` first")
	}
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = strconv.FormatInt(1+rand.Int64N(maxID), 10)
	}
	rows, err := db.QueryContext(ctx, `SELECT org_id, public_id, slug, tracking_number, order_id, page_token, created_at, search_text
		FROM trackings WHERE id IN (`+strings.Join(ids, ",")+`)`)
	if err != nil {
		return nil, nil, fmt.Errorf("bench scale: sample trackings: %w", err)
	}
	defer rows.Close()
	var out []scaleSample
	for rows.Next() {
		var s scaleSample
		var created int64
		var search string
		if err := rows.Scan(&s.org, &s.id, &s.slug, &s.number, &s.order, &s.token, &created, &search); err != nil {
			return nil, nil, fmt.Errorf("bench scale: sample trackings: %w", err)
		}
		if _, ok := keys[s.org]; !ok {
			continue // not an organization of the seed file
		}
		s.created = time.UnixMicro(created).UTC()
		// The keyword: the customer's email when there is one, else the number.
		s.title = s.number
		for f := range strings.FieldsSeq(search) {
			if strings.Contains(f, "@") {
				s.title = f
			}
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("bench scale: sample trackings: %w", err)
	}
	if len(out) == 0 {
		return nil, nil, errors.New("bench scale: no sampled tracking belongs to an organization of the seed file")
	}
	endpoints := map[int64]string{}
	erows, err := db.QueryContext(ctx, `SELECT org_id, MIN(public_id) FROM webhook_endpoints GROUP BY org_id`)
	if err != nil {
		return nil, nil, fmt.Errorf("bench scale: endpoints: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var org int64
		var id string
		if err := erows.Scan(&org, &id); err != nil {
			return nil, nil, fmt.Errorf("bench scale: endpoints: %w", err)
		}
		endpoints[org] = id
	}
	return out, endpoints, erows.Err()
}

// cursorWalk pages through one organization's trackings with the 2026-07
// API, 200 at a time, following next_cursor to the end; each page is one
// call of the result.
func cursorWalk(ctx context.Context, client *http.Client, base, key string) (*loadgen.Result, error) {
	res := &loadgen.Result{}
	cursor := ""
	start := time.Now()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/tracking/2026-07/trackings?limit=200&cursor="+url.QueryEscape(cursor), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("as-api-key", key)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		// The call ends with its last byte, as loadgen's do: the parsing
		// of the page below is the client's work, not the server's.
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		elapsed := time.Since(t0)
		var page struct {
			Data struct {
				Pagination struct {
					NextCursor  string `json:"next_cursor"`
					HasNextPage bool   `json:"has_next_page"`
				} `json:"pagination"`
			} `json:"data"`
		}
		if err == nil {
			err = json.Unmarshal(body, &page)
		}
		res.Requests++
		if resp.StatusCode != http.StatusOK || err != nil {
			return nil, fmt.Errorf("page %d: status %d %v", res.Requests, resp.StatusCode, err)
		}
		res.Latency.Record(elapsed)
		if !page.Data.Pagination.HasNextPage {
			break
		}
		cursor = page.Data.Pagination.NextCursor
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// timeCalls runs call n times, one after another, and times each (on
// calls too, when not nil).
func timeCalls(calls *callTimeline, n int, call func() error) (*loadgen.Result, error) {
	res := &loadgen.Result{}
	start := time.Now()
	for range n {
		t0 := time.Now()
		if err := call(); err != nil {
			return nil, err
		}
		res.Latency.Record(time.Since(t0))
		calls.record(t0, 0)
		res.Requests++
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// diskBytes is the size of the database: the SQLite file with its WAL, or
// the PostgreSQL tables (with indexes and TOAST) of the store's schema.
func diskBytes(ctx context.Context, st *store.Store, databaseURL string) (int64, error) {
	if st.Engine() == store.SQLite {
		_, path, err := config.ParseDatabaseURL(databaseURL)
		if err != nil {
			return 0, err
		}
		var total int64
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if fi, err := os.Stat(filepath.Clean(path + suffix)); err == nil {
				total += fi.Size()
			}
		}
		return total, nil
	}
	var n int64
	err := st.Writer().QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("bench scale: database size: %w", err)
	}
	return n, nil
}

// procMemory reads VmRSS and VmHWM (kB) of a process; zeros when it cannot.
func procMemory(pid int) (rss, hwm int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb
		case "VmHWM":
			hwm = kb
		}
	}
	return rss, hwm
}

// procCPU is the CPU time (user and system) process pid used so far, from
// /proc/PID/stat; 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis: utime and stime
	// are the 12th and 13th of them, in clock ticks (100 a second on Linux).
	_, rest, ok := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// loadAvg is the machine's 1, 5 and 15 minute load averages.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// errMeasured rolls back a measurement's transaction.
var errMeasured = errors.New("measured")

// measureClaimPolls claims up to limit due polls as the server's poll
// loop does (store.ClaimPolls; the lease, the loop's default, does not
// change the statement), in a transaction it rolls
// back: nothing changes.
func measureClaimPolls(ctx context.Context, st *store.Store, limit int) error {
	err := st.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ClaimPolls(ctx, time.Now(), 90*time.Second, limit); err != nil {
			return err
		}
		return errMeasured
	})
	if errors.Is(err, errMeasured) {
		return nil
	}
	return err
}
