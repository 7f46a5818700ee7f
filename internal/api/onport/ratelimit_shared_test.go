package onport

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/waybillhq/waybill/internal/sharedlimit/sharedlimittest"
)

// Two instances' throttles on one Redis give a token one bucket, not one
// each, with the same headers as a throttle of its own.
func TestThrottleSharedByInstances(t *testing.T) {
	// Buckets of 2 requests that drain one an hour: nothing drains during
	// the test, however slow the machine.
	slow := func() *Throttle {
		th := NewThrottle(1)
		th.GetRate, th.WriteRate, th.Capacity = 1.0/3600, 1.0/3600, 7200
		th.Shared = sharedlimittest.Open(t)
		return th
	}
	a, b := slow(), slow()
	token := sharedlimittest.Key("bearer:")
	ctx := context.Background()
	for i, th := range []*Throttle{a, b} {
		h := http.Header{}
		if !th.Allow(ctx, h, token, http.MethodGet) {
			t.Fatalf("GET %d refused", i+1)
		}
		if h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != strconv.Itoa(1-i) {
			t.Errorf("GET %d admitted with headers %v", i+1, h)
		}
	}
	h := http.Header{}
	if a.Allow(ctx, h, token, http.MethodGet) {
		t.Fatal("a third GET on the shared bucket of 2 was admitted")
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err != nil || s < 3000 || s > 3601 || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("refused with headers %v, want Retry-After about an hour", h)
	}
	// Writes have a bucket of their own.
	if !b.Allow(ctx, http.Header{}, token, http.MethodPost) {
		t.Error("the first write was refused")
	}
}
