package claimloop

import "sync"

// Waker is what a Loop's Wake is fed from: a channel of one slot that
// Wake fills without blocking. A wake sent while the loop claims stays in
// the slot and ends the loop's next wait, so none is lost; wakes sent
// before the loop takes one count as one. The zero value is ready; it is
// safe for concurrent use.
type Waker struct {
	once sync.Once
	ch   chan struct{}
}

// C is the channel to give a Loop as its Wake.
func (w *Waker) C() <-chan struct{} {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	return w.ch
}

// Wake ends the loop's wait, or its next one if it is not waiting.
func (w *Waker) Wake() {
	w.C()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}
