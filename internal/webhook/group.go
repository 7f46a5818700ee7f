package webhook

import (
	"context"
	"sync"
)

// maxGroup bounds the items one group's function handles: the deliveries
// one statement reads.
const maxGroup = 512

// group runs one function for items that arrive at about the same time.
// While fewer than runs runs are under way, an arriving item leads a run
// at once, for every item waiting then, its own included; otherwise it
// queues, and the first run to end takes the queue (up to maxGroup items)
// and hands it to the first of them to run. So a run never waits for
// company, at most runs of them are under way, and under load each carries
// what arrived while the others ran. It has no goroutine of its own: the
// zero value (one run at a time) is ready, and nothing needs stopping.
//
// The attempts' records do not use it: they are items of the store's
// GroupCommitter, whose one transaction at a time also carries the pushes
// on SQLite. A read needs no transaction and must not wait behind one,
// which is why reads have this group and not the committer.
type group[T any] struct {
	runs int // the most runs under way at once; 1 when 0

	mu      sync.Mutex
	queue   []*member[T]
	running int
}

// member is one item waiting in a group.
type member[T any] struct {
	item T
	lead chan []*member[T] // the batch this member is to run; buffered
	done chan struct{}     // closed once run has handled item
}

// submit returns once run has handled item, in a batch of at most
// maxGroup items. run must set each item's outcome in the item itself
// (T is a pointer); ctx is the leader's, and run must not let its end
// cut short the other members' work.
func (g *group[T]) submit(ctx context.Context, item T, run func(context.Context, []T)) {
	m := &member[T]{item: item, lead: make(chan []*member[T], 1), done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, m)
	var batch []*member[T]
	if g.running < max(g.runs, 1) {
		g.running++
		batch = g.take()
		g.mu.Unlock()
	} else {
		g.mu.Unlock()
		select {
		case <-m.done:
			return
		case batch = <-m.lead: // m is first in batch, and runs it
		}
	}
	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	run(ctx, items)
	for _, b := range batch {
		close(b.done)
	}
	// This run's slot passes to what queued meanwhile: the first of it
	// runs it (m, done, is not among them).
	g.mu.Lock()
	if len(g.queue) == 0 {
		g.running--
		g.mu.Unlock()
		return
	}
	next := g.take()
	g.mu.Unlock()
	next[0].lead <- next
}

// take removes the next batch from the queue; g.mu is held.
func (g *group[T]) take() []*member[T] {
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = append([]*member[T](nil), g.queue[n:]...)
	return batch
}
