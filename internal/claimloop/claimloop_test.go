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
		claims, stop := context.WithCancel(context.Background())
		go func() {
			for {
				mu.Lock()
				n := len(left)
				mu.Unlock()
				if n > 0 {
					stop()
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		l.Run(claims, context.Background())
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		switch {
		case lease == 0 && hasDeadline[0]:
			t.Errorf("no lease: the work has a deadline")
		case lease > 0 && (!hasDeadline[0] || left[0] > lease*5/6):
			t.Errorf("lease %v: deadline %v (set %v), want at most %v away", lease, left[0], hasDeadline[0], lease*5/6)
		}
	}
}
