package tenant

import (
	"context"
	"sync"
	"time"
)

// generationReads shares reads of the key generation between concurrent
// requests without ever answering one with a read that began before it
// arrived: a caller joins the next read, which starts only once the read
// in flight (if any) has finished. A revocation committed before a
// request arrived is therefore seen by that request, as with a read of
// its own, while 32 concurrent requests cost a few reads instead of 32.
// The zero value is ready to use.
type generationReads struct {
	mu      sync.Mutex
	next    *generationRead // not started yet: arrivals join it
	running bool            // a goroutine is reading, or about to
}

type generationRead struct {
	done   chan struct{}
	gen    int64
	err    error
	joined int // callers waiting for it (tests look)
}

// generationReadTimeout bounds one shared read, which no single caller's
// context governs.
const generationReadTimeout = 10 * time.Second

// read returns the generation as read by fetch after the call began, or
// fetch's error; ctx ending first gives ctx's error.
func (g *generationReads) read(ctx context.Context, fetch func(context.Context) (int64, error)) (int64, error) {
	g.mu.Lock()
	if g.next == nil {
		g.next = &generationRead{done: make(chan struct{})}
	}
	r := g.next
	r.joined++
	if !g.running {
		g.running = true
		go g.loop(fetch)
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.gen, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// loop performs the pending reads one after another until none waits.
func (g *generationReads) loop(fetch func(context.Context) (int64, error)) {
	for {
		g.mu.Lock()
		r := g.next
		g.next = nil
		if r == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), generationReadTimeout)
		r.gen, r.err = fetch(ctx)
		cancel()
		close(r.done)
	}
}
