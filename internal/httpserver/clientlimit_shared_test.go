package httpserver

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/sharedlimit/sharedlimittest"
)

// Two instances' tables on one Redis give an address one budget.
func TestClientLimitsSharedByInstances(t *testing.T) {
	namespace := sharedlimittest.Key("test-lookups-")
	table := func() *ClientLimits {
		l := NewClientLimits(rate.Every(3600e9), 2) // refills once an hour
		l.Share(sharedlimittest.Open(t), namespace)
		return l
	}
	a, b := table(), table()
	r := httptest.NewRequest(http.MethodGet, "/t/x", nil)
	r.RemoteAddr = "192.0.2.7:5000"
	if !a.Allow(r) || !b.Allow(r) {
		t.Fatal("the first two lookups were refused")
	}
	if a.Allow(r) || b.Allow(r) {
		t.Fatal("a third lookup on the shared budget of 2 was admitted")
	}
	other := httptest.NewRequest(http.MethodGet, "/t/x", nil)
	other.RemoteAddr = "192.0.2.8:5000"
	if !b.Allow(other) {
		t.Error("another address was refused")
	}
}

// Failed authentications on one instance spend the address's budget on
// every instance sharing the Redis.
func TestAuthThrottleSharedByInstances(t *testing.T) {
	shared := sharedlimittest.Open(t)
	a, b := NewAuthThrottle(2, nil), NewAuthThrottle(2, nil)
	a.Share(shared)
	b.Share(sharedlimittest.Open(t))
	// An address of its own (a /64 no other run uses): the budget of
	// failures is per address. A unit refills in 30 s, far longer than
	// the test.
	r := httptest.NewRequest(http.MethodGet, "/v4/trackings", nil)
	r.RemoteAddr = "[2001:db8:" + sharedlimittest.Key("")[:4] + ":" + sharedlimittest.Key("")[:4] + "::1]:5000"
	bad := func() error { return waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid API key.") }
	good := func() error { return nil }
	for _, th := range []*AuthThrottle{a, b} {
		if err := th.Authenticate(httptest.NewRecorder(), r, bad); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Fatalf("failure within the budget: %v", err)
		}
	}
	w := httptest.NewRecorder()
	err := a.Authenticate(w, r, good)
	if waybill.ErrorCode(err) != waybill.ERATELIMIT || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after two failures (one per instance) of a budget of 2: %v, Retry-After %q", err, w.Header().Get("Retry-After"))
	}
	w = httptest.NewRecorder()
	if err := b.Authenticate(w, r, good); waybill.ErrorCode(err) != waybill.ERATELIMIT || w.Header().Get("Retry-After") == "" {
		t.Fatalf("on the other instance: %v", err)
	}
}
