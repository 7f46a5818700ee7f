package aftership

import (
	"sync"
	"sync/atomic"
)

// bufferPool keeps the buffers hand-written responses are built in. A
// buffer that grew past keepUpTo (an unusually large body) is let go rather
// than kept for every later response.
//
// One buffer, the spare, is kept outside the sync.Pool. A sync.Pool puts a
// buffer in the slot of the processor (P) that put it, where a get on
// another P does not look, and drops what it holds at every second
// collection: a client paging through its trackings one call after
// another then got a new 256 kB buffer and grew it, a quarter at a time,
// to its page's megabyte: a 2026-07 walk in pages of 200 at a million
// trackings allocated 1.68-1.77 MB per page so, 1.23-1.35 MB with the
// spare (docs/benchmarks/scale.md, session 14). The spare is found by the
// next get whatever P it runs on, and survives collections.
type bufferPool struct {
	pool     sync.Pool
	spare    atomic.Pointer[[]byte]
	keepUpTo int
}

func newBufferPool(initial, keepUpTo int) *bufferPool {
	return &bufferPool{keepUpTo: keepUpTo, pool: sync.Pool{New: func() any { b := make([]byte, 0, initial); return &b }}}
}

// get returns an empty buffer; the caller stores what it appended back
// through the pointer and hands it to put when the response is written.
func (p *bufferPool) get() *[]byte {
	bp := p.spare.Swap(nil)
	if bp == nil {
		bp = p.pool.Get().(*[]byte)
	}
	*bp = (*bp)[:0]
	return bp
}

func (p *bufferPool) put(bp *[]byte) {
	if cap(*bp) > p.keepUpTo {
		return
	}
	if !p.spare.CompareAndSwap(nil, bp) {
		p.pool.Put(bp)
	}
}

// jsonBuffers serve single-tracking responses; listBuffers list pages, where
// a page of 100 trackings is a few hundred kB.
var (
	jsonBuffers = newBufferPool(8<<10, 256<<10)
	listBuffers = newBufferPool(256<<10, 4<<20)
)
