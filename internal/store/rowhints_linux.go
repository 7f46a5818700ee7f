package store

import (
	"os"

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

// pageResident reads len(buf) bytes of f at off into buf if they are all
// in the page cache, without waiting for the disk (preadv2 RWF_NOWAIT),
// and reports whether they were.
func pageResident(f readerAt, off int64, buf []byte) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	n, err := unix.Preadv2(int(file.Fd()), [][]byte{buf}, off, unix.RWF_NOWAIT)
	return err == nil && n == len(buf)
}
