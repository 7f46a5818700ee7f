package onportlink

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestThrottleSpacesEachToken: concurrent requests of one token leave at
// least GetEvery (or WriteEvery) apart, another token is not held up by
// them, and a Pause holds every request of its token.
func TestThrottleSpacesEachToken(t *testing.T) {
	var gets, writes []time.Time
	th := &Throttle{GetEvery: 40 * time.Millisecond, WriteEvery: 80 * time.Millisecond,
		left: func(token string, write bool, at time.Time) {
			if token != "a" {
				return
			}
			if write {
				writes = append(writes, at)
			} else {
				gets = append(gets, at)
			}
		}}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			write := i%3 == 0
			if err := th.Wait(ctx, "a", write); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(gets) != 8 || len(writes) != 4 {
		t.Fatalf("%d GETs and %d writes left, want 8 and 4", len(gets), len(writes))
	}
	for name, ts := range map[string][]time.Time{"GET": gets, "write": writes} {
		every := th.GetEvery
		if name == "write" {
			every = th.WriteEvery
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < every {
				t.Errorf("%s %d left %s after the previous one, under %s", name, i, gap, every)
			}
		}
	}
	until := time.Now().Add(150 * time.Millisecond)
	th.Pause("a", until)
	if err := th.Wait(ctx, "a", false); err != nil {
		t.Fatal(err)
	}
	if time.Now().Before(until) {
		t.Error("a request left during a pause")
	}
	cancelled, cancel := context.WithCancel(ctx)
	th.Pause("a", time.Now().Add(time.Hour))
	cancel()
	if err := th.Wait(cancelled, "a", false); err == nil {
		t.Error("a cancelled wait returned nil")
	}
	if err := th.Wait(ctx, "b", false); err != nil {
		t.Error(err)
	}
}
