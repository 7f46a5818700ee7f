package webhook

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestGroupRunsEachItemOnceWithinItsBound submits items from many
// goroutines to a group of two runs: each item is handled by exactly one
// run, and no more than two runs are ever under way together.
func TestGroupRunsEachItemOnceWithinItsBound(t *testing.T) {
	type item struct{ handled atomic.Int32 }
	g := &group[*item]{runs: 2}
	var under, most atomic.Int32
	release := make(chan struct{})
	run := func(_ context.Context, batch []*item) {
		n := under.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release // the runs under way stay so while the others queue
		for _, it := range batch {
			it.handled.Add(1)
		}
		under.Add(-1)
	}
	const n = 200
	items := make([]*item, n)
	var wg sync.WaitGroup
	for i := range items {
		items[i] = &item{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.submit(context.Background(), items[i], run)
		}()
	}
	close(release)
	wg.Wait()
	for i, it := range items {
		if got := it.handled.Load(); got != 1 {
			t.Errorf("item %d handled %d times, want once", i, got)
		}
	}
	if got := most.Load(); got > 2 {
		t.Errorf("%d runs under way at once, want at most 2", got)
	}
	if g.running != 0 || len(g.queue) != 0 {
		t.Errorf("after every submit returned: %d runs counted, %d items queued; want none", g.running, len(g.queue))
	}
}
