package aftership

import (
	"runtime"
	"testing"
)

// TestBufferPoolKeepsItsSpare: a buffer put back is the next get's,
// collections in between, on whatever processor the get runs. A sync.Pool
// alone drops it at the second collection, and a client paging one call
// after another then grew a new buffer to its page's size.
func TestBufferPoolKeepsItsSpare(t *testing.T) {
	p := newBufferPool(16, 1<<20)
	bp := p.get()
	*bp = append(*bp, make([]byte, 64<<10)...)
	p.put(bp)
	runtime.GC()
	runtime.GC()
	done := make(chan *[]byte)
	go func() {
		runtime.LockOSThread() // another goroutine, likely another P
		defer runtime.UnlockOSThread()
		done <- p.get()
	}()
	got := <-done
	if got != bp {
		t.Fatalf("get after two collections returned a new buffer (cap %d), not the one put back (cap %d)", cap(*got), cap(*bp))
	}
	if len(*got) != 0 {
		t.Fatalf("get returned a buffer of length %d, want 0", len(*got))
	}
	// Two buffers out at once: the second comes from the sync.Pool.
	a, b := p.get(), p.get()
	if a == b {
		t.Fatal("two gets returned the same buffer")
	}
	// Too large to keep: neither the spare nor the pool holds it.
	big := p.get()
	*big = make([]byte, 0, 2<<20)
	p.put(big)
	if p.spare.Load() == big {
		t.Fatal("a buffer past keepUpTo was kept as the spare")
	}
}
