package store

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestPageResidentFallbackReusesItsBuffer: on a kernel without
// cachestat(2), the test reads each page with preadv2 into a buffer kept
// for the next test, instead of allocating a page per page tested. It
// forces the fallback, so it runs on any kernel (not in parallel: the
// fallback's switch is the process's).
func TestPageResidentFallbackReusesItsBuffer(t *testing.T) {
	const page = 4096
	path := filepath.Join(t.TempDir(), "pages")
	if err := os.WriteFile(path, make([]byte, 4*page), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	was := noCachestat.Load()
	noCachestat.Store(true)
	defer noCachestat.Store(was)

	// Just written, the file is in the page cache; past its end is not.
	if !pageResident(f, page, page) {
		t.Fatal("a page just written is not reported in memory")
	}
	if pageResident(f, 8*page, page) {
		t.Fatal("a page past the end of the file is reported in memory")
	}
	const calls = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range calls {
		pageResident(f, int64(i%4)*page, page)
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / calls; perCall >= page {
		t.Fatalf("%d bytes allocated per page tested, want less than a page (%d)", perCall, page)
	}
}
