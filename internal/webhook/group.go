package webhook

import (
	"context"
	"sync"
)

// maxGroup bounds the items one group's function handles: the attempts
// one transaction records, or the deliveries one statement reads.
const maxGroup = 512

// group runs one function for items that arrive at about the same time:
// the first item to arrive leads, and runs the function for every item
// waiting then, its own included, while the items arriving meanwhile queue
// for the next run, which the first of them leads. So a run never waits
// for company, and under load each run carries what arrived during the
// one before, with one run at a time. It has no goroutine of its own: the
// zero value is ready, and nothing needs stopping.
type group[T any] struct {
	mu      sync.Mutex
	queue   []*member[T]
	leading bool
}

// member is one item waiting in a group.
type member[T any] struct {
	item T
	lead chan struct{} // closed when this member is to lead the next run
	done chan struct{} // closed once run has handled item
}

// submit returns once run has handled item, in a batch of at most
// maxGroup items. run must set each item's outcome in the item itself
// (T is a pointer); ctx is the leader's, and run must not let its end
// cut short the other members' work.
func (g *group[T]) submit(ctx context.Context, item T, run func(context.Context, []T)) {
	m := &member[T]{item: item, lead: make(chan struct{}), done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, m)
	if g.leading {
		g.mu.Unlock()
		select {
		case <-m.done:
			return
		case <-m.lead: // m is first in the queue, and leads now
		}
		g.mu.Lock()
	}
	g.leading = true
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = append([]*member[T](nil), g.queue[n:]...)
	g.mu.Unlock()

	items := make([]T, len(batch))
	for i, b := range batch {
		items[i] = b.item
	}
	run(ctx, items)
	for _, b := range batch {
		close(b.done)
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
}
