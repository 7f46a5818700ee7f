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
