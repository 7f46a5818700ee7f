package aftership

import "sync"

// bufferPool keeps the buffers hand-written responses are built in. A
// buffer that grew past keepUpTo (an unusually large body) is let go rather
// than kept for every later response.
type bufferPool struct {
	pool     sync.Pool
	keepUpTo int
}

func newBufferPool(initial, keepUpTo int) *bufferPool {
	return &bufferPool{keepUpTo: keepUpTo, pool: sync.Pool{New: func() any { b := make([]byte, 0, initial); return &b }}}
}

// get returns an empty buffer; the caller stores what it appended back
// through the pointer and hands it to put when the response is written.
func (p *bufferPool) get() *[]byte {
	bp := p.pool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

func (p *bufferPool) put(bp *[]byte) {
	if cap(*bp) <= p.keepUpTo {
		p.pool.Put(bp)
	}
}

// jsonBuffers serve single-tracking responses; listBuffers list pages, where
// a page of 100 trackings is a few hundred kB.
var (
	jsonBuffers = newBufferPool(8<<10, 256<<10)
	listBuffers = newBufferPool(256<<10, 4<<20)
)
