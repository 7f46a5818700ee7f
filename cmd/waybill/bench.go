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
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waybillhq/waybill/internal/loadgen"
)

const benchUsage = `usage: waybill bench <http|aftership|pages|baseline> [flags]

  http       load any endpoint:  --url U [--method M] [--header 'K: V'] [--body-template B]
             ({{n}} in the URL or body becomes the request number) [--expect STATUS]
  aftership  load the v4 API:    --url BASE --key KEY --op create|get
  pages      view hosted tracking pages: --url BASE --key KEY [--pool N] (creates N trackings first)
  baseline   serve a bare net/http handler to compare against: [--addr A] [--addr-file F]
  seed       fill a database with trackings for scale benchmarks: [--database-url U]
             [--trackings N (1000000)] [--orgs N (100)]; prints the organizations' keys (JSON)
  scale      time each read of a large account against a seeded database and its server:
             --database-url U --url BASE --seed-file F [--pid P] [--requests N] [--concurrency N]
  sink       a webhook receiver answering every request with 200: [--addr A (127.0.0.1:9)] [--addr-file F]
  free-port  print a free TCP port of 127.0.0.1
  sql        run one statement and print its rows (a bench's SQLite file): [--database-url U] STATEMENT

http, aftership and pages also take --concurrency N --duration D [--rate R] [--requests N] [--json].
Without --rate the N workers send back to back (closed loop); with --rate, requests
are scheduled at R per second and latency counts from the scheduled time (open loop).`

// runBench runs `waybill bench http|aftership|baseline`. Loads print a
// one-line summary, or one JSON object with --json, on stdout. A load only
// targets the URL it is given.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, benchUsage)
		return usageError{errors.New("bench: no load given")}
	}
	switch args[0] {
	case "http":
		return benchHTTP(ctx, args[1:], stdout, stderr)
	case "aftership":
		return benchAfterShip(ctx, args[1:], stdout, stderr)
	case "pages":
		return benchPages(ctx, args[1:], stdout, stderr)
	case "webhooks":
		return benchWebhooks(ctx, args[1:], stdout, stderr)
	case "baseline":
		return benchBaseline(ctx, args[1:], stderr)
	case "seed":
		return benchSeed(ctx, args[1:], stdout, stderr)
	case "scale":
		return benchScale(ctx, args[1:], stdout, stderr)
	case "sink":
		return benchSink(ctx, args[1:], stderr)
	case "free-port":
		return benchFreePort(args[1:], stdout, stderr)
	case "sql":
		return benchSQL(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, benchUsage)
		return nil
	}
	fmt.Fprintln(stderr, benchUsage)
	return usageError{fmt.Errorf("bench: unknown load %q", args[0])}
}

// loadFlags are the flags every load shares.
type loadFlags struct {
	concurrency int
	duration    time.Duration
	rate        float64
	requests    int64
	json        bool
}

func (l *loadFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&l.concurrency, "concurrency", 32, "workers; with --rate, the most requests in flight")
	fs.DurationVar(&l.duration, "duration", 10*time.Second, "how long to start requests for")
	fs.Float64Var(&l.rate, "rate", 0, "requests per second (open loop); 0 sends as fast as the workers can")
	fs.Int64Var(&l.requests, "requests", 0, "stop after this many requests; 0 for no limit")
	fs.BoolVar(&l.json, "json", false, "print the result as one JSON object")
}

func (l *loadFlags) validate() error {
	switch {
	case l.concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case l.duration <= 0:
		return errors.New("--duration must be positive")
	case l.rate < 0 || l.requests < 0:
		return errors.New("--rate and --requests must not be negative")
	}
	return nil
}

func (l *loadFlags) options(expect int) loadgen.Options {
	return loadgen.Options{Concurrency: l.concurrency, Duration: l.duration, Rate: l.rate, MaxRequests: l.requests, Expect: expect}
}

// benchReport is the JSON form of a load's result.
type benchReport struct {
	Label       string  `json:"label"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate,omitempty"`
	loadgen.Summary
}

func printResult(w io.Writer, label string, l *loadFlags, r *loadgen.Result) error {
	if l.json {
		return json.NewEncoder(w).Encode(benchReport{Label: label, Concurrency: l.concurrency, Rate: l.rate, Summary: r.Summary()})
	}
	line := fmt.Sprintf("%s concurrency=%d", label, l.concurrency)
	if l.rate > 0 {
		line += fmt.Sprintf(" rate=%g/s", l.rate)
	}
	line += " " + r.String()
	if r.FirstErr != "" {
		line += fmt.Sprintf(" first_error=%q", r.FirstErr)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

func (f *headerFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("%q is not 'Name: value'", v)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

// checkTarget rejects a URL that is not absolute http(s), so that a typo
// fails at once rather than as 100% transport errors.
func checkTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q is not an http:// or https:// URL", raw)
	}
	return nil
}

// parseBench parses a load's flags like every other command: -h/--help
// prints them (to stderr: a load's stdout is its result) and succeeds,
// unknown flags and operands are usage errors.
func parseBench(name string, args []string, stderr io.Writer, fs func(*flag.FlagSet)) error {
	cl := newCmdLine("bench "+name, "usage: waybill bench "+name+" [flags]\n\n"+benchUsage, stderr, stderr)
	fs(cl.fs)
	_, err := cl.parse(args, 0, 0)
	return err
}

// benchHTTP loads any endpoint with one request template.
func benchHTTP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		l                    loadFlags
		target, method, body string
		expect               int
		headers              headerFlags
	)
	err := parseBench("http", args, stderr, func(fs *flag.FlagSet) {
		l.register(fs)
		fs.StringVar(&target, "url", "", "target URL; {{n}} becomes the request number")
		fs.StringVar(&method, "method", "GET", "HTTP method")
		fs.StringVar(&body, "body-template", "", "request body; {{n}} becomes the request number")
		fs.IntVar(&expect, "expect", 0, "the status of a success (default any 2xx)")
		fs.Var(&headers, "header", "a request header 'Name: value' (repeatable)")
	})
	if err != nil {
		return err
	}
	if err := errors.Join(l.validate(), checkTarget(strings.ReplaceAll(target, loadgen.Placeholder, "0"))); err != nil {
		return err
	}
	res := loadgen.Run(ctx, loadgen.NewClient(l.concurrency), loadgen.Template(method, target, headers.h, body), l.options(expect))
	if err := ctx.Err(); err != nil {
		return err
	}
	return printResult(stdout, method+" "+target, &l, res)
}

// benchAfterShip loads the v4 API: create posts trackings with unique
// numbers; get first creates a pool of trackings, then fetches them by id
// at random.
func benchAfterShip(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		l             loadFlags
		base, key, op string
		slug          string
		pool          int
	)
	err := parseBench("aftership", args, stderr, func(fs *flag.FlagSet) {
		l.register(fs)
		fs.StringVar(&base, "url", "http://127.0.0.1:8080", "Waybill's base URL")
		fs.StringVar(&key, "key", "", "API key (aftership-api-key)")
		fs.StringVar(&op, "op", "create", "create or get")
		fs.StringVar(&slug, "slug", "dhl", "courier slug of the created trackings")
		fs.IntVar(&pool, "pool", 1000, "trackings to create before a get load")
	})
	if err != nil {
		return err
	}
	base = strings.TrimRight(base, "/")
	if err := errors.Join(l.validate(), checkTarget(base)); err != nil {
		return err
	}
	if key == "" {
		return errors.New("--key is required")
	}
	h := http.Header{"Aftership-Api-Key": {key}, "Content-Type": {"application/json"}}
	client := loadgen.NewClient(l.concurrency)
	// A run prefix keeps numbers unique across runs against one database.
	prefix := fmt.Sprintf("WB%d", time.Now().UnixNano()%1e12)
	var build loadgen.Request
	expect := http.StatusOK
	switch op {
	case "create":
		body := fmt.Sprintf(`{"tracking":{"slug":%q,"tracking_number":"%sC{{n}}","title":"bench"}}`, slug, prefix)
		build, expect = loadgen.Template(http.MethodPost, base+"/v4/trackings", h, body), http.StatusCreated
	case "get":
		if pool < 1 {
			return errors.New("--pool must be at least 1")
		}
		ids, err := createPool(ctx, client, base, h, slug, prefix, pool, l.concurrency)
		if err != nil {
			return err
		}
		build = func(int64) (*http.Request, error) {
			r, err := http.NewRequest(http.MethodGet, base+"/v4/trackings/"+ids[rand.IntN(len(ids))], nil)
			if err == nil {
				r.Header = h.Clone()
			}
			return r, err
		}
	default:
		return fmt.Errorf("--op %q: want create or get", op)
	}
	res := loadgen.Run(ctx, client, build, l.options(expect))
	if err := ctx.Err(); err != nil {
		return err
	}
	return printResult(stdout, "aftership "+op, &l, res)
}

// createPool creates n trackings with `workers` requests in flight and
// returns their ids.
func createPool(ctx context.Context, client *http.Client, base string, h http.Header, slug, prefix string, n, workers int) ([]string, error) {
	ids := make([]string, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				id, err := createOne(ctx, client, base, h, slug, fmt.Sprintf("%sP%d", prefix, i))
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					cancel()
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("create the pool of %d trackings: %w", n, firstErr)
	}
	return ids, ctx.Err()
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func createOne(ctx context.Context, client *http.Client, base string, h http.Header, slug, number string) (string, error) {
	body, err := json.Marshal(map[string]any{"tracking": map[string]string{"slug": slug, "tracking_number": number}})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v4/trackings", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header = h.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Tracking struct {
				ID string `json:"id"`
			} `json:"tracking"`
		} `json:"data"`
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read create response: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("create %s: status %d: %.200s", number, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Data.Tracking.ID == "" {
		return "", fmt.Errorf("create %s: no data.tracking.id in %.200s", number, b)
	}
	return out.Data.Tracking.ID, nil
}

// baselineBody is what the baseline answers: about the size of a small
// AfterShip envelope.
var baselineBody = []byte(`{"meta":{"code":200,"message":"","type":"OK"},"data":{"tracking":{"id":"baseline"}}}` + "\n")

// baselineHandler is the bare net/http handler a benchmark compares Waybill
// with: no routing, no auth, no database.
func baselineHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(baselineBody)
	})
}

// benchBaseline serves baselineHandler until ctx is done. It runs as its
// own process, as Waybill does, so that the comparison is like for like.
func benchBaseline(ctx context.Context, args []string, stderr io.Writer) error {
	var addr, addrFile string
	err := parseBench("baseline", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen address")
		fs.StringVar(&addrFile, "addr-file", "", "write the bound address to this file")
	})
	if err != nil {
		return err
	}
	return serveBench(ctx, "baseline", addr, addrFile, baselineHandler(), stderr)
}

// serveBench serves h on addr until ctx is done, writing the bound address
// to addrFile when set, and says where on stderr as what.
func serveBench(ctx context.Context, what, addr, addrFile string, h http.Handler, stderr io.Writer) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if addrFile != "" {
		if err := os.WriteFile(addrFile, []byte(l.Addr().String()), 0o600); err != nil {
			l.Close()
			return fmt.Errorf("write --addr-file: %w", err)
		}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(stderr, what, "serving on", l.Addr())
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// A load generator may still hold requests open: cut them.
		return srv.Close()
	}
	return nil
}
