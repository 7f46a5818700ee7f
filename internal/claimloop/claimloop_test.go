package claimloop

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestLeaseBoundsWork checks that with Lease set an item's work ends five
// sixths of the lease after it starts at the latest, and without it runs
// under work alone.
func TestLeaseBoundsWork(t *testing.T) {
	for _, lease := range []time.Duration{0, 600 * time.Millisecond} {
		var mu sync.Mutex
		var left []time.Duration
		var hasDeadline []bool
		claimed := false
		l := Loop[int]{Lease: lease, Poll: time.Millisecond}
		l.Claim = func(ctx context.Context, n int) ([]int, time.Time, error) {
			if claimed {
				return nil, time.Time{}, nil
			}
			claimed = true
			return []int{1}, time.Now().Add(lease), nil
		}
		l.Work = func(ctx context.Context, _ int, _ time.Time) {
			d, ok := ctx.Deadline()
			mu.Lock()
			defer mu.Unlock()
			left, hasDeadline = append(left, time.Until(d)), append(hasDeadline, ok)
		}
		runUntil(t, &l, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(left) > 0
		})
		switch {
		case lease == 0 && hasDeadline[0]:
			t.Errorf("no lease: the work has a deadline")
		case lease > 0 && (!hasDeadline[0] || left[0] > lease*5/6):
			t.Errorf("lease %v: deadline %v (set %v), want at most %v away", lease, left[0], hasDeadline[0], lease*5/6)
		}
	}
}

// TestGatherClaimsForSeveralWorkers checks that under a backlog a loop
// with Gather claims for the workers freed during the wait together,
// rather than one claim per freed worker.
func TestGatherClaimsForSeveralWorkers(t *testing.T) {
	const items, workers = 40, 4
	var mu sync.Mutex
	left, claimsMade, done := items, 0, 0
	l := Loop[int]{Workers: workers, Gather: 20 * time.Millisecond, Poll: time.Millisecond}
	l.Claim = func(ctx context.Context, n int) ([]int, time.Time, error) {
		mu.Lock()
		defer mu.Unlock()
		n = min(n, left)
		left -= n
		if n > 0 {
			claimsMade++
		}
		return make([]int, n), time.Now().Add(time.Minute), nil
	}
	l.Work = func(context.Context, int, time.Time) {
		mu.Lock()
		defer mu.Unlock()
		done++
	}
	runUntil(t, &l, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return done == items
	})
	// Without Gather each item freed one worker and was followed by a
	// claim of one (up to 37 claims); with it, claims of up to 4.
	if claimsMade > items/2 {
		t.Errorf("%d items worked with %d claims, want at most %d: the loop claimed per freed worker", items, claimsMade, items/2)
	}
}

// runUntil runs l until done reports true, then waits for its items.
func runUntil(t *testing.T, l *Loop[int], done func() bool) {
	t.Helper()
	claims, stop := context.WithCancel(context.Background())
	go func() {
		for !done() {
			time.Sleep(time.Millisecond)
		}
		stop()
	}()
	l.Run(claims, context.Background())
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLeaseKeepsASettingWithinTheMost(t *testing.T) {
	for _, c := range []struct{ configured, want time.Duration }{
		{0, 90 * time.Second},
		{-time.Second, 90 * time.Second},
		{10 * time.Second, 10 * time.Second},
		{90 * time.Second, 90 * time.Second},
		{2 * time.Minute, 90 * time.Second},
	} {
		if got := Lease(c.configured, 90*time.Second); got != c.want {
			t.Errorf("Lease(%v, 90s) = %v, want %v", c.configured, got, c.want)
		}
	}
}
