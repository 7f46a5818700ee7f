package sharedlimit_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill/internal/sharedlimit"
	"github.com/waybillhq/waybill/internal/sharedlimit/sharedlimittest"
)

// Two limiters on one Redis, as two instances would hold, spend one budget:
// a burst of 5 admits 5 requests in all, however they are spread.
func TestInstancesShareOneBudget(t *testing.T) {
	a, b := sharedlimittest.Open(t), sharedlimittest.Open(t)
	key := sharedlimittest.Key("test:")
	// A slow refill (one token an hour) so that no token comes back
	// during the test, however slow the machine.
	r := sharedlimit.Rate{PerSecond: 1.0 / 3600, Burst: 5}
	ctx := context.Background()
	admitted := 0
	for i := range 10 {
		l := a
		if i%2 == 1 {
			l = b
		}
		d, ok := l.Take(ctx, key, r, 1)
		if !ok {
			t.Fatalf("take %d: Redis did not answer", i)
		}
		if d.Allowed {
			admitted++
			if d.RetryAfter != 0 {
				t.Errorf("take %d admitted with RetryAfter %v", i, d.RetryAfter)
			}
		} else if d.RetryAfter <= 0 {
			t.Errorf("take %d refused without RetryAfter", i)
		}
	}
	if admitted != 5 {
		t.Errorf("%d of 10 admitted across two instances, want the burst of 5", admitted)
	}
	// Reading the bucket spends nothing and sees it empty.
	d, ok := b.Take(ctx, key, r, 0)
	if !ok || !d.Allowed || d.Tokens >= 1 {
		t.Errorf("read: %+v %v, want an empty bucket", d, ok)
	}
	// Another key has its own budget.
	if d, ok := a.Take(ctx, key+"-other", r, 1); !ok || !d.Allowed || int(d.Tokens) != 4 {
		t.Errorf("other key: %+v %v, want admitted with 4 left", d, ok)
	}
}

// A limiter whose Redis does not answer reports so, and the caller decides.
func TestUnreachableRedisLeavesTheDecisionToTheCaller(t *testing.T) {
	l, err := sharedlimit.New("redis://127.0.0.1:1/0", nil) // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := sharedlimit.Rate{PerSecond: 1, Burst: 1}
	if _, ok := l.Take(context.Background(), "k", r, 1); ok {
		t.Fatal("an unreachable Redis answered")
	}
	if _, ok := l.Take(context.Background(), "k", r, 1); ok {
		t.Fatal("a second take right after the failure answered")
	}
	var none *sharedlimit.Limiter
	if _, ok := none.Take(context.Background(), "k", r, 1); ok {
		t.Fatal("a nil limiter answered")
	}
}

func TestNewRejectsABadURL(t *testing.T) {
	if _, err := sharedlimit.New("http://127.0.0.1:6379", nil); err == nil {
		t.Fatal("accepted an http URL")
	}
}
