package tenant

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestGenerationReadsBeginAfterTheirCallers holds a first read in flight
// while two more callers arrive: they must not get its answer (it began
// before them, and may predate a revocation they should see), and they
// share the next read, so three callers cost two reads.
func TestGenerationReadsBeginAfterTheirCallers(t *testing.T) {
	t.Parallel()
	var g generationReads
	started := make(chan int64, 4)
	release := make(chan struct{})
	var mu sync.Mutex
	var reads int64
	fetch := func(context.Context) (int64, error) {
		mu.Lock()
		reads++
		n := reads
		mu.Unlock()
		started <- n
		<-release
		return n, nil // read n answers generation n
	}
	ctx := context.Background()
	got := make(chan int64, 3)
	go func() { gen, _ := g.read(ctx, fetch); got <- gen }()
	if n := <-started; n != 1 {
		t.Fatalf("first read is number %d", n)
	}
	// Two callers arrive while read 1 is in flight.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { gen, _ := g.read(ctx, fetch); got <- gen })
	}
	for joined := 0; joined < 2; {
		g.mu.Lock()
		if g.next != nil {
			joined = g.next.joined
		}
		g.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	answers := []int64{<-got, <-got, <-got}
	slices.Sort(answers)
	if !slices.Equal(answers, []int64{1, 2, 2}) {
		t.Errorf("answers = %v; want 1 for the first caller and 2 for the two that arrived during read 1", answers)
	}
	if reads != 2 {
		t.Errorf("%d reads for 3 callers; want 2", reads)
	}
}
