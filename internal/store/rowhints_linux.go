package store

import (
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// canAdviseReads: Linux starts the reads posix_fadvise(WILLNEED) names.
const canAdviseReads = true

// adviseRead asks the kernel to start reading n bytes of f at off into
// the page cache, and returns without waiting for them.
func adviseRead(f readerAt, off, n int64) {
	if file, ok := f.(*os.File); ok {
		_ = unix.Fadvise(int(file.Fd()), off, n, unix.FADV_WILLNEED) // a hint: nothing to do if refused
	}
}

// pageResident reports whether the n bytes of f at off are all in the
// page cache, without reading them and without starting their read:
// cachestat(2) (Linux 6.5), one page cache lookup per page. Before it
// (ENOSYS), a preadv2(RWF_NOWAIT) of them, which reads from the page cache
// or answers EAGAIN without waiting for the disk, but on a page out of
// memory starts the kernel's own read-ahead around it, as a read does
// (docs/benchmarks/scale.md, session 13).
func pageResident(f readerAt, off, n int64) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	if !noCachestat.Load() {
		var st unix.Cachestat_t
		err := unix.Cachestat(uint(file.Fd()), &unix.CachestatRange{Off: uint64(off), Len: uint64(n)}, &st, 0)
		if err == nil {
			return st.Cache*osPageSize >= uint64(n)
		}
		if err != unix.ENOSYS {
			return false
		}
		noCachestat.Store(true)
	}
	bp := probeBuffers.Get().(*[]byte)
	defer probeBuffers.Put(bp)
	if int64(cap(*bp)) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:n]
	got, err := unix.Preadv2(int(file.Fd()), [][]byte{buf}, off, unix.RWF_NOWAIT)
	return err == nil && got == len(buf)
}

// probeBuffers hold the pages the preadv2 test reads into and drops: one
// per test in flight, rather than one allocated per page tested (two
// hundred a cursor page of 200 where cachestat is missing).
var probeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// noCachestat is set once cachestat(2) answered ENOSYS (a kernel before 6.5).
var noCachestat atomic.Bool

// osPageSize is the size of the kernel's pages, cachestat's unit.
var osPageSize = uint64(os.Getpagesize())
