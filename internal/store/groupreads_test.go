package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitQueued waits until n calls wait in g's batches not yet started.
func (g *groupReads[K, R]) waitQueued(n int) {
	for g.queued() < n {
		time.Sleep(time.Millisecond)
	}
}

func (g *groupReads[K, R]) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, b := range g.queue {
		n += len(b.keys)
	}
	return n
}

// holdFirstRead makes g's first batch wait, after its read and before
// its callers are answered, until release is closed; held is closed then.
func holdFirstRead[K, R any](g *groupReads[K, R]) (held, release chan struct{}) {
	held, release = make(chan struct{}), make(chan struct{})
	first := true
	g.afterRead = func(int) {
		if first {
			first = false
			close(held)
			<-release
		}
	}
	return held, release
}

// TestGroupReadsBatchAfterTheRead holds a first read (of one key) after
// its statement while five callers arrive with one loop and batches of at
// most two: none of them gets the held read's answer, and they are read
// in batches of two, two and one, each key answered with its own value.
func TestGroupReadsBatchAfterTheRead(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reads [][]int
	g := &groupReads[int, int]{loops: 1, maxBatch: 2, read: func(_ context.Context, keys []int, out []int) error {
		mu.Lock()
		reads = append(reads, slices.Clone(keys))
		n := len(reads)
		mu.Unlock()
		for i, k := range keys {
			out[i] = k*100 + n // key k, answered by read n
		}
		return nil
	}}
	held, release := holdFirstRead(g)
	ctx := context.Background()
	got := make(chan [2]int, 6)
	call := func(k int) {
		v, err := g.get(ctx, k)
		if err != nil {
			t.Errorf("key %d: %v", k, err)
		}
		got <- [2]int{k, v}
	}
	go call(1)
	<-held
	for k := 2; k <= 6; k++ {
		go call(k)
	}
	g.waitQueued(5)
	close(release)
	answers := map[int]int{}
	for range 6 {
		a := <-got
		answers[a[0]] = a[1]
	}
	if answers[1] != 101 {
		t.Errorf("key 1 = %d; want 101 (the first read)", answers[1])
	}
	for k := 2; k <= 6; k++ {
		if v := answers[k]; v/100 != k || v%100 < 2 {
			t.Errorf("key %d = %d; want its own value from a read after the first", k, v)
		}
	}
	var sizes []int
	for _, r := range reads {
		sizes = append(sizes, len(r))
	}
	if !slices.Equal(sizes, []int{1, 2, 2, 1}) {
		t.Errorf("batches of %v; want [1 2 2 1]", sizes)
	}
	if s := g.stats(); s != (GroupReadStats{Batches: 4, Keys: 6}) {
		t.Errorf("stats %+v; want 4 batches, 6 keys", s)
	}
}

// TestGroupReadsLoneCall checks that a lone call is read at once, in a
// batch of one under its own context (its values reach the read).
func TestGroupReadsLoneCall(t *testing.T) {
	t.Parallel()
	type ctxKey struct{}
	g := &groupReads[int, int]{loops: 4, maxBatch: 64, read: func(ctx context.Context, keys []int, out []int) error {
		if ctx.Value(ctxKey{}) != "caller" || len(keys) != 1 {
			t.Errorf("read of %v without the caller's context", keys)
		}
		out[0] = keys[0] + 1
		return nil
	}}
	for i := range 3 {
		if v, err := g.get(context.WithValue(context.Background(), ctxKey{}, "caller"), i); err != nil || v != i+1 {
			t.Fatalf("get(%d) = %d, %v", i, v, err)
		}
	}
	if s := g.stats(); s != (GroupReadStats{Batches: 3, Keys: 3}) {
		t.Errorf("stats %+v; want 3 batches of one", s)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running != 0 || len(g.queue) != 0 {
		t.Errorf("after the calls: %d loops running, %d batches queued", g.running, len(g.queue))
	}
}

// TestGroupReadsCancelAndErrors holds a first read while two callers
// share the next batch and a third waits too: the first caller's and
// one waiting caller's contexts end. The cancelled waiter returns its
// context's error at once; the batch is still read for the other, whose
// answer arrives though the loop's caller (the first) gave up; a batch
// whose read fails gives every caller in it the error, and a panic of
// the read is an error too.
func TestGroupReadsCancelAndErrors(t *testing.T) {
	t.Parallel()
	errBad := errors.New("bad key")
	g := &groupReads[int, int]{loops: 1, maxBatch: 2, read: func(_ context.Context, keys []int, out []int) error {
		for i, k := range keys {
			switch k {
			case -1:
				return errBad
			case -2:
				panic("read panicked")
			}
			out[i] = k
		}
		return nil
	}}
	held, release := holdFirstRead(g)
	type answer struct {
		key, v int
		err    error
	}
	got := make(chan answer, 8)
	call := func(ctx context.Context, k int) {
		v, err := g.get(ctx, k)
		got <- answer{k, v, err}
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	go call(ctx1, 1)
	<-held
	ctx2, cancel2 := context.WithCancel(context.Background())
	go call(ctx2, 2)
	g.waitQueued(1)
	for i, k := range []int{3, -1, 4, -2} { // batches [2 3] [-1 4] [-2]
		go call(context.Background(), k)
		g.waitQueued(i + 2)
	}
	cancel2()
	if a := <-got; a.key != 2 || !errors.Is(a.err, context.Canceled) {
		t.Fatalf("the cancelled waiter got %+v; want key 2 with context.Canceled", a)
	}
	cancel1()
	close(release)
	answers := map[int]answer{}
	for range 5 {
		a := <-got
		answers[a.key] = a
	}
	if a := answers[3]; a.err != nil || a.v != 3 {
		t.Errorf("key 3 (its batch's other caller cancelled) = %+v", a)
	}
	if a := answers[1]; a.err != nil && !errors.Is(a.err, context.Canceled) {
		t.Errorf("key 1 = %+v; want its answer or context.Canceled", a)
	}
	for _, k := range []int{-1, 4} {
		if a := answers[k]; !errors.Is(a.err, errBad) {
			t.Errorf("key %d of the failed batch = %+v; want the read's error", k, a)
		}
	}
	if a := answers[-2]; a.err == nil {
		t.Errorf("key -2 (the read panicked) = %+v; want an error", a)
	}
	// The loop is free again: a lone call is read.
	if v, err := g.get(context.Background(), 7); err != nil || v != 7 {
		t.Errorf("a call after all that = %d, %v", v, err)
	}
}

// TestGroupReadsSetLoops checks that setLoops bounds the batches read at
// once: with two loops a call is read at once while a first read is
// held; with one (setLoops(0) counts as one) it waits for the next batch.
func TestGroupReadsSetLoops(t *testing.T) {
	t.Parallel()
	g := &groupReads[int, int]{loops: 4, maxBatch: 64, read: func(_ context.Context, keys []int, out []int) error {
		copy(out, keys)
		return nil
	}}
	ctx := context.Background()
	g.setLoops(2)
	held, release := holdFirstRead(g)
	first := make(chan error, 1)
	go func() { _, err := g.get(ctx, 1); first <- err }()
	<-held
	if v, err := g.get(ctx, 2); err != nil || v != 2 {
		t.Fatalf("with two loops and one held: get(2) = %d, %v", v, err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}

	g.setLoops(0)
	if g.loops != 1 {
		t.Fatalf("setLoops(0) left %d loops; want 1", g.loops)
	}
	held, release = holdFirstRead(g)
	go func() { _, err := g.get(ctx, 3); first <- err }()
	<-held
	second := make(chan int, 1)
	go func() { v, _ := g.get(ctx, 4); second <- v }()
	g.waitQueued(1) // with one loop, the second call waits for the next batch
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if v := <-second; v != 4 {
		t.Errorf("get(4) after the held read = %d", v)
	}
}
