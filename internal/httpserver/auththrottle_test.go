package httpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
)

// clock is a settable time for the throttle.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func request(addr string) (*httptest.ResponseRecorder, *http.Request) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = addr
	return httptest.NewRecorder(), r
}

var (
	errUnauthorized = waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid API key.")
	fail            = func() error { return errUnauthorized }
	succeed         = func() error { return nil }
)

// TestAuthThrottleBudget checks the budget of one address: failures spend
// it, successes do not, a spent budget refuses even a good key with
// Retry-After, it refills with time, and other addresses keep theirs.
func TestAuthThrottleBudget(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	th := httpserver.NewAuthThrottle(3, clk.Now) // 3 a minute: one unit every 20 s
	const addr = "192.0.2.7:5555"
	for i := range 3 {
		w, r := request(addr)
		if err := th.Authenticate(w, r, succeed); err != nil {
			t.Fatalf("success %d: %v", i, err)
		}
		w, r = request(addr)
		if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v, want EUNAUTHORIZED", i, err)
		}
	}
	ran := false
	w, r := request("192.0.2.7:6666") // another port, same address
	err := th.Authenticate(w, r, func() error { ran = true; return nil })
	if waybill.ErrorCode(err) != waybill.ERATELIMIT || ran {
		t.Fatalf("spent budget: %v (check ran: %v), want ERATELIMIT without running the check", err, ran)
	}
	if got := w.Header().Get("Retry-After"); got != "20" {
		t.Errorf("Retry-After %q, want 20", got)
	}
	w, r = request("192.0.2.8:5555")
	if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
		t.Errorf("another address: %v, want its own budget", err)
	}
	clk.Add(20 * time.Second)
	w, r = request(addr)
	if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
		t.Errorf("after 20 s: %v, want one unit refilled", err)
	}
	w, r = request(addr)
	if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.ERATELIMIT {
		t.Errorf("after the refilled unit: %v, want ERATELIMIT", err)
	}
	if httpserver.NewAuthThrottle(0, nil) != nil {
		t.Error("NewAuthThrottle(0) is not nil (off)")
	}
	var off *httpserver.AuthThrottle
	for range 100 {
		w, r := request(addr)
		if err := off.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Fatalf("nil throttle: %v", err)
		}
	}
}

// TestAuthThrottleIPv6Prefix checks that an IPv6 client counts by its /64,
// so that walking the addresses of one prefix does not reset the budget.
func TestAuthThrottleIPv6Prefix(t *testing.T) {
	t.Parallel()
	th := httpserver.NewAuthThrottle(2, nil)
	for i, addr := range []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2::2]:1"} {
		w, r := request(addr)
		if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	w, r := request("[2001:db8:1:2:ffff::9]:1")
	if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.ERATELIMIT {
		t.Errorf("third address of the /64: %v, want ERATELIMIT", err)
	}
	w, r = request("[2001:db8:1:3::1]:1")
	if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
		t.Errorf("another /64: %v, want its own budget", err)
	}
}

// TestAuthThrottleConcurrentGuesses fires many concurrent failing checks
// from one address: no more of them run than the budget allows.
func TestAuthThrottleConcurrentGuesses(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	th := httpserver.NewAuthThrottle(10, clk.Now)
	var ran atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			w, r := request("198.51.100.1:1")
			_ = th.Authenticate(w, r, func() error { ran.Add(1); <-release; return errUnauthorized })
		})
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := ran.Load(); n != 10 {
		t.Errorf("%d concurrent guesses ran, want the budget of 10", n)
	}
}

// TestAuthThrottleConcurrentGoodKeys fires ten times the budget of
// concurrent successful checks from one address, each held until the
// budget's worth are running: every one of them passes, as they would one
// by one (they once got 429 while the others held the units).
func TestAuthThrottleConcurrentGoodKeys(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	th := httpserver.NewAuthThrottle(10, clk.Now)
	var ran atomic.Int64
	release := make(chan struct{})
	errs := make([]error, 100)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			w, r := request("198.51.100.2:1")
			errs[i] = th.Authenticate(w, r, func() error { ran.Add(1); <-release; return nil })
		})
	}
	for ran.Load() < 10 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("good key %d: %v", i, err)
		}
	}
	if n := ran.Load(); n != 100 {
		t.Errorf("%d checks ran, want all 100", n)
	}
	// The budget is untouched: ten failures still run.
	for i := range 10 {
		w, r := request("198.51.100.2:1")
		if err := th.Authenticate(w, r, fail); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Fatalf("failure %d after the good keys: %v", i, err)
		}
	}
}

// TestAuthThrottleOnEveryFace sends wrong credentials to each face and
// checks that past the budget the client gets 429, with Retry-After, in
// that face's own envelope, and that one budget serves all faces.
func TestAuthThrottleOnEveryFace(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			tenants := &tenant.Service{Store: st}
			if _, _, err := tenants.CreateOrg(context.Background(), "acme"); err != nil {
				t.Fatal(err)
			}
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			clk := &clock{now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
			const budget = 4
			th := httpserver.NewAuthThrottle(budget, clk.Now)
			faces := []httpserver.Face{
				&admin.API{Auth: tenants, MaxBodyBytes: 1 << 20, Logger: logger, AuthThrottle: th},
				&aftership.API{Auth: tenants, Limits: aftership.NewRateLimiter(0), MaxBodyBytes: 1 << 20, Logger: logger, AuthThrottle: th},
				&onport.API{Commerce: &commerce.Service{Store: st}, Auth: tenants, Throttle: onport.NewThrottle(0),
					MaxBodyBytes: 1 << 20, Logger: logger, AuthThrottle: th},
			}
			srv := httptest.NewServer(httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, faces...).Handler())
			t.Cleanup(srv.Close)

			type face struct {
				name, method, path, header, prefix string
				code                               func(body map[string]any) any // the envelope's error code
				want401, want429                   any
			}
			adminCode := func(b map[string]any) any { e, _ := b["error"].(map[string]any); return e["code"] }
			metaCode := func(b map[string]any) any { m, _ := b["meta"].(map[string]any); return m["code"] }
			onportCode := func(b map[string]any) any { return b["code"] }
			for _, f := range []face{
				{"v4", "GET", "/v4/trackings", "aftership-api-key", "", metaCode, 401.0, 429.0},
				{"2026-07", "GET", "/tracking/2026-07/trackings", "as-api-key", "", metaCode, 401.0, 429.0},
				{"admin", "GET", "/v1/webhooks", "as-api-key", "", adminCode, "unauthorized", "rate_limited"},
				{"onport bearer", "GET", "/api/sales.json", "Authorization", "Bearer ", onportCode, "unauthorized", "rate_limited"},
				{"onport hash", "POST", "/webhooks/custom-channels/manual-sale.json", "jetti-webhook-hash", "", onportCode, "unauthorized", "rate_limited"},
			} {
				t.Run(f.name, func(t *testing.T) {
					send := func(i int) (int, http.Header, map[string]any) {
						req, _ := http.NewRequest(f.method, srv.URL+f.path, nil)
						req.Header.Set(f.header, f.prefix+"wb_wrong_"+strconv.Itoa(i))
						res, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						defer res.Body.Close()
						var body map[string]any
						_ = json.NewDecoder(res.Body).Decode(&body)
						return res.StatusCode, res.Header, body
					}
					for i := range budget {
						if status, _, body := send(i); status != 401 || f.code(body) != f.want401 {
							t.Fatalf("wrong key %d: %d %v, want 401 in the face's envelope", i, status, body)
						}
					}
					for i := budget; i < 3*budget; i++ {
						status, hdr, body := send(i)
						if status != 429 || f.code(body) != f.want429 {
							t.Fatalf("wrong key %d past the budget: %d %v, want 429 in the face's envelope", i, status, body)
						}
						if s, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || s < 1 || s > 15 {
							t.Fatalf("Retry-After %q, want 1 to 15 seconds", hdr.Get("Retry-After"))
						}
					}
					// The next face starts from a full budget: one budget
					// serves every face, so refill it here.
					clk.Add(time.Minute)
				})
			}
			// One budget for all faces: failures on /v4 and /v1 together
			// spend it, and Onport's hash route is refused next.
			statusOf := func(method, path, header, value string) int {
				req, _ := http.NewRequest(method, srv.URL+path, nil)
				req.Header.Set(header, value)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			for i := range budget {
				path, header := "/v4/trackings", "aftership-api-key"
				if i%2 == 1 {
					path, header = "/v1/channels", "as-api-key"
				}
				if got := statusOf("GET", path, header, "wb_wrong"); got != 401 {
					t.Fatalf("mixed failure %d on %s: %d, want 401", i, path, got)
				}
			}
			if got := statusOf("POST", "/webhooks/custom-channels/manual-sale.json", "jetti-webhook-hash", "nope"); got != 429 {
				t.Errorf("after failures on /v4 and /v1, Onport's hash route: %d, want 429", got)
			}
		})
	}
}
