package aftership

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/sharedlimit"
	"github.com/waybillhq/waybill/internal/sharedlimit/sharedlimittest"
)

// Two instances' limiters on one Redis grant one key its budget once, not
// once each, with the same headers as a limiter of its own.
func TestRateLimitSharedByInstances(t *testing.T) {
	a, b := NewRateLimiter(1), NewRateLimiter(1)
	a.Shared, b.Shared = sharedlimittest.Open(t), sharedlimittest.Open(t)
	key := sharedlimittest.Key("wb_test")
	// A bucket of 1 that refills once an hour: no token comes back during
	// the test, however slow the machine.
	const perSecond = 1.0 / 3600
	ctx := context.Background()
	first := http.Header{}
	if !a.Allow(ctx, first, key, "v4", perSecond) {
		t.Fatal("the first request was refused")
	}
	if first.Get("X-RateLimit-Limit") != "1" || first.Get("X-RateLimit-Remaining") != "0" || first.Get("Retry-After") != "" {
		t.Errorf("admitted with headers %v", first)
	}
	for i, l := range []*RateLimiter{b, a} {
		h := http.Header{}
		if l.Allow(ctx, h, key, "v4", perSecond) {
			t.Fatalf("request %d on the shared budget admitted", i+2)
		}
		if h.Get("X-RateLimit-Limit") != "1" || h.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("refused with headers %v", h)
		}
		if s, err := strconv.Atoi(h.Get("Retry-After")); err != nil || s < 3000 || s > 3601 {
			t.Errorf("refused with Retry-After %q, want about an hour", h.Get("Retry-After"))
		}
		reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
		if now := time.Now().Unix(); err != nil || reset < now+3000 || reset > now+3700 {
			t.Errorf("refused with X-RateLimit-Reset %q, want about an hour from now", h.Get("X-RateLimit-Reset"))
		}
	}
	// Another endpoint's budget is its own.
	if !b.Allow(ctx, http.Header{}, key, "trackings", perSecond) {
		t.Error("another endpoint's first request was refused")
	}
}

// When Redis does not answer, each instance limits on its own.
func TestRateLimitFallsBackToTheProcessWithoutRedis(t *testing.T) {
	down, err := sharedlimit.New("redis://127.0.0.1:1/0", nil) // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	l := NewRateLimiter(1)
	l.Shared = down
	admitted := 0
	for range 5 {
		if l.Allow(context.Background(), http.Header{}, "wb_fallback_key_1234", "v4", 1.0/3600) {
			admitted++
		}
	}
	if admitted != 1 {
		t.Errorf("%d of 5 admitted with a burst of 1, want 1", admitted)
	}
}
