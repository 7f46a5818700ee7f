package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// groupReads serves concurrent reads of one kind, each of one key, with
// one statement per batch of keys: the read-side counterpart of the group
// commit, built as tenant's generationReads. A caller joins the batch
// that has not started yet; a batch is taken as a whole when a loop is
// free, and its statement begins after every caller in it arrived. So an
// answer always comes from a read that began after its request did: a
// write or a revocation committed before a request arrived is seen by it,
// as with a read of its own (read-your-writes; reads stay linearizable).
//
// Up to loops batches are read at once, each on a connection of its own,
// so a lone caller (fewer than loops reads under way) is read at once, on
// its own goroutine, in a batch of one: no timer, no wait for company.
// Batches form only while loops reads are already under way, from the
// callers that arrive meanwhile. The caller that finds a loop free runs
// batches itself until its own has been read; if others wait then, a new
// goroutine takes over its loop.
//
// A batch's error is every one of its callers'. A caller whose context
// ends stops waiting with the context's error; its batch is read anyway
// for the others.
type groupReads[K, R any] struct {
	// read reads keys (one or more) and writes keys[i]'s answer to
	// out[i]; it returns an error only when the whole read failed.
	read     func(ctx context.Context, keys []K, out []R) error
	loops    int // batches read at once, at least 1
	maxBatch int // keys in one batch, at least 1

	mu      sync.Mutex
	queue   []*readBatch[K, R] // not started, oldest first; arrivals join the last unless full
	running int                // loops under way (at most loops)

	batches, keys atomic.Int64 // read so far (GroupReadStats)
	// afterRead, when set (tests), runs on the loop's goroutine after a
	// batch's read and before its callers are woken, with its keys.
	afterRead func(keys int)
}

type readBatch[K, R any] struct {
	keys []K
	out  []R
	err  error
	done chan struct{} // closed once out and err are set
}

// groupReadTimeout bounds the read of a batch of several callers, which
// no single caller's context governs.
const groupReadTimeout = 10 * time.Second

// get returns key's answer from a read that began after the call did,
// or that read's error; ctx ending first gives ctx's error.
func (g *groupReads[K, R]) get(ctx context.Context, key K) (R, error) {
	var zero R
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	g.mu.Lock()
	var b *readBatch[K, R]
	if n := len(g.queue); n > 0 && len(g.queue[n-1].keys) < g.maxBatch {
		b = g.queue[n-1]
	} else {
		b = &readBatch[K, R]{done: make(chan struct{})}
		g.queue = append(g.queue, b)
	}
	i := len(b.keys)
	b.keys = append(b.keys, key)
	lead := g.running < g.loops
	if lead {
		g.running++
	}
	g.mu.Unlock()
	if lead {
		g.serve(ctx, b)
	}
	select {
	case <-b.done:
		return b.out[i], b.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// serve is a loop: it reads the waiting batches, oldest first, until none
// waits. With own set (a caller's loop) it stops once own has been read
// or ctx has ended, handing the loop to a new goroutine if batches still
// wait; it also stops when none waits although own is still being read
// by another loop.
func (g *groupReads[K, R]) serve(ctx context.Context, own *readBatch[K, R]) {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		if own != nil && (isClosed(own.done) || ctx.Err() != nil) {
			g.mu.Unlock()
			go g.serve(context.Background(), nil)
			return
		}
		b := g.queue[0]
		g.queue[0] = nil
		g.queue = g.queue[1:]
		g.mu.Unlock()
		g.readBatch(ctx, b, b == own)
	}
}

// readBatch reads b and wakes its callers. A batch of the caller's own
// alone is read under the caller's context, so that its cancellation
// stops the read as a read of its own would; any other under a context
// of its own. A panic of the read becomes the batch's error.
func (g *groupReads[K, R]) readBatch(ctx context.Context, b *readBatch[K, R], own bool) {
	defer func() {
		if p := recover(); p != nil {
			b.err = fmt.Errorf("store: group read: panic: %v", p)
		}
		close(b.done)
	}()
	g.batches.Add(1)
	g.keys.Add(int64(len(b.keys)))
	b.out = make([]R, len(b.keys))
	if own && len(b.keys) == 1 {
		b.err = g.read(ctx, b.keys, b.out)
	} else {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupReadTimeout)
		b.err = g.read(rctx, b.keys, b.out)
		cancel()
	}
	if g.afterRead != nil {
		g.afterRead(len(b.keys))
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// GroupReadStats are the batches a store's group reads (PostgreSQL's v4
// get by id) read so far and the keys they answered: their ratio is the
// mean batch.
type GroupReadStats struct{ Batches, Keys int64 }

func (g *groupReads[K, R]) stats() GroupReadStats {
	return GroupReadStats{Batches: g.batches.Load(), Keys: g.keys.Load()}
}

// ReadBatchStats returns what the store's batched reads (PostgreSQL:
// trackings by id and tokens' pages) read so far; zero on SQLite, which
// reads each on its own.
func (s *Store) ReadBatchStats() GroupReadStats {
	if s.trackingReads == nil {
		return GroupReadStats{}
	}
	t, p := s.trackingReads.stats(), s.pageReads.stats()
	return GroupReadStats{Batches: t.Batches + p.Batches, Keys: t.Keys + p.Keys}
}

// SetReadBatchLoops sets how many batches of the store's batched reads
// (PostgreSQL: trackings by id and tokens' pages) are read at once, each
// on a connection of its own; n below 1 counts as 1. Fewer loops share
// more round trips per batch; more loops give the reads more of the
// database's connections when other clients keep it busy. Reads already
// under way finish as they started. It does nothing on SQLite.
func (s *Store) SetReadBatchLoops(n int) {
	if s.trackingReads == nil {
		return
	}
	s.trackingReads.setLoops(n)
	s.pageReads.setLoops(n)
}

// setLoops changes the batches read at once to n (at least 1).
func (g *groupReads[K, R]) setLoops(n int) {
	g.mu.Lock()
	g.loops = max(n, 1)
	g.mu.Unlock()
}
