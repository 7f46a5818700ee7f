// Package halves runs the work of a run of items in two halves at once,
// for the CPU-bound steps (decoding, encoding) that a database round trip
// waits for while the database itself has nothing to do.
package halves

import (
	"errors"
	"sync"
)

// Work calls work(0, n) when n is below atLeast; otherwise it calls
// work(0, n/2) on the caller's goroutine and work(n/2, n) on another at
// the same time, and returns when both have. work must touch only the
// items of its own range. The error is the halves' errors joined (nil
// when both are nil).
func Work(n, atLeast int, work func(from, to int) error) error {
	if n < atLeast || n < 2 {
		return work(0, n)
	}
	half := n / 2
	var other error
	var wg sync.WaitGroup
	wg.Go(func() { other = work(half, n) })
	err := work(0, half)
	wg.Wait()
	return errors.Join(err, other)
}
