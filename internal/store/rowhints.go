package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
)

// rowHints tells the operating system, ahead of a SQLite query, which
// pages of the database file hold the rows it is about to read, so that
// the disk reads them all at once instead of one after another.
//
// SQLite reads a page when it needs it and waits for it: a list page at a
// million trackings is a hundred or two rows, each on a table page of its
// own (an organization's trackings are interleaved with the others'), so a
// page whose rows are not in the OS page cache waited for a hundred disk
// reads in turn (docs/benchmarks/scale.md, session 11). The hint asks for
// them together (posix_fadvise WILLNEED, which starts the reads and
// returns); SQLite's own reads then find them in memory or already on
// their way.
//
// A hint is only a hint: it never changes what a query returns. It reads
// the interior pages of the table's B-tree from the file itself to find
// the leaf page of each row key, which may be out of date (pages changed
// since the last checkpoint are in the WAL) or half written by a
// checkpoint; anything that does not parse as a table B-tree page ends the
// walk, and an outdated page only makes the hint name a page the query
// will not read.
type rowHints struct {
	path string
	// advise starts the reads of n bytes of the file at off (adviseRead;
	// tests record them instead).
	advise func(f readerAt, off, n int64)
	// resident reports whether the n bytes at off are in memory
	// (pageResident; tests replace it).
	resident func(f readerAt, off, n int64) bool

	mu     sync.Mutex
	file   *os.File // opened on first use; nil until then or when it cannot be
	failed bool     // the file could not be opened: no hints
	// roots caches the root page of each table, valid for the schema
	// cookie of the file header they were read under.
	cookie uint32
	roots  map[string]uint32
}

// newRowHints returns the hints for the SQLite database file at path, or
// nil where the operating system takes no read-ahead advice.
func newRowHints(path string) *rowHints {
	if !canAdviseReads {
		return nil
	}
	return &rowHints{path: path, advise: adviseRead, resident: pageResident, roots: map[string]uint32{}}
}

// close closes the file the hints read.
func (h *rowHints) close() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file == nil {
		return nil
	}
	err := h.file.Close()
	h.file, h.failed = nil, true
	return err
}

// sqliteHeader is what a hint needs of the database file's header.
type sqliteHeader struct {
	pageSize, usable int
	cookie           uint32
}

// open returns the database file and its header.
func (h *rowHints) open() (*os.File, sqliteHeader, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failed {
		return nil, sqliteHeader{}, errors.New("no database file")
	}
	if h.file == nil {
		f, err := os.Open(h.path)
		if err != nil {
			h.failed = true
			return nil, sqliteHeader{}, err
		}
		h.file = f
	}
	var b [100]byte
	if _, err := h.file.ReadAt(b[:], 0); err != nil {
		return nil, sqliteHeader{}, err
	}
	hd, err := parseSQLiteHeader(b[:])
	return h.file, hd, err
}

// parseSQLiteHeader reads the page size, the bytes of a page B-tree pages
// use and the schema cookie from the first 100 bytes of a database file.
func parseSQLiteHeader(b []byte) (sqliteHeader, error) {
	if len(b) < 100 || string(b[:16]) != "SQLite format 3\x00" {
		return sqliteHeader{}, errors.New("not a SQLite database header")
	}
	size := int(binary.BigEndian.Uint16(b[16:]))
	if size == 1 {
		size = 65536
	}
	if size < 512 || size&(size-1) != 0 {
		return sqliteHeader{}, fmt.Errorf("page size %d", size)
	}
	usable := size - int(b[20])
	if usable < 480 {
		return sqliteHeader{}, fmt.Errorf("usable page size %d", usable)
	}
	return sqliteHeader{pageSize: size, usable: usable, cookie: binary.BigEndian.Uint32(b[40:])}, nil
}

// root returns the root page of table, from the cache while the schema
// cookie is the one it was read under, else from sqlite_schema through q.
func (h *rowHints) root(ctx context.Context, q querier, table string, cookie uint32) (uint32, error) {
	h.mu.Lock()
	if h.cookie == cookie {
		if r, ok := h.roots[table]; ok {
			h.mu.Unlock()
			return r, nil
		}
	}
	h.mu.Unlock()
	var r int64
	if err := q.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = $1`, table).Scan(&r); err != nil {
		return 0, err
	}
	if r <= 0 || r > 1<<32-1 {
		return 0, fmt.Errorf("root page %d", r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cookie != cookie {
		clear(h.roots)
		h.cookie = cookie
	}
	h.roots[table] = uint32(r)
	return uint32(r), nil
}

// hintRows advises the reads of the table pages that hold the rows of
// keys (rowids of table, in any order). Errors are not returned: without
// a hint the rows are read as they always were.
func (h *rowHints) hintRows(ctx context.Context, q querier, table string, keys []int64) {
	if h == nil {
		return // a transaction's queries, or PostgreSQL: no hints
	}
	h.hintRowsUnless(ctx, q, table, keys, h.resident)
}

// hintRowsUnless is hintRows with the test of a level's pages being in
// memory already (h.resident's, or a test's).
func (h *rowHints) hintRowsUnless(ctx context.Context, q querier, table string, keys []int64, resident func(f readerAt, off, n int64) bool) {
	if h == nil || len(keys) == 0 {
		return
	}
	f, hd, err := h.open()
	if err != nil {
		return
	}
	root, err := h.root(ctx, q, table, hd.cookie)
	if err != nil {
		return
	}
	leafPages(f, hd, root, slices.Sorted(slices.Values(keys)), h.advise, resident)
}

// B-tree page types (the first byte of a page's header).
const (
	interiorTablePage = 0x05
	leafTablePage     = 0x0d
	// maxBTreeDepth is SQLite's own bound (BTCURSOR_MAX_DEPTH).
	maxBTreeDepth = 20
)

// pageKeys is a page of the B-tree and the keys, ascending, to find under it.
type pageKeys struct {
	page uint32
	keys []int64
}

// leafPages walks the table B-tree rooted at root in file f level by level,
// from the root to the leaves that hold keys (ascending), calling advise
// with the pages of each level that are not in memory (resident) before it
// reads them: the reads of one level are then under way together, the
// leaves' as well. It reads no leaf page but the first of its level (which
// tells it the level is the leaves'). It stops at the first page that is
// not a table B-tree page.
//
// Each page is tested on its own (a system call per page, as advising
// each was in session 11), and only those not in memory are advised, so
// that a warm walk advises nothing. Session 12 tested four pages sampled
// from a level and advised none of it when they were in memory: the
// level's other pages that were not were then read one after another,
// in a share (in memory)^4 of the calls (docs/benchmarks/scale.md,
// session 13).
func leafPages(f readerAt, hd sqliteHeader, root uint32, keys []int64, advise func(f readerAt, off, n int64), resident func(f readerAt, off, n int64) bool) {
	level := []pageKeys{{root, keys}}
	buf := make([]byte, hd.pageSize)
	var missing []uint32
	for depth := 0; depth <= maxBTreeDepth && len(level) > 0; depth++ {
		missing = missing[:0]
		for _, pk := range level {
			if !resident(f, int64(pk.page-1)*int64(hd.pageSize), int64(hd.pageSize)) {
				missing = append(missing, pk.page)
			}
		}
		adviseRuns(f, hd, missing, advise)
		var next []pageKeys
		for _, pk := range level {
			if _, err := f.ReadAt(buf, int64(pk.page-1)*int64(hd.pageSize)); err != nil {
				return
			}
			children, leaf, ok := childPages(buf, hd.usable, pk)
			if !ok || leaf {
				// A leaf: the level is the leaves', advised above.
				return
			}
			next = append(next, children...)
		}
		level = next
	}
}

// adviseRuns advises pages (sorted here), runs of adjacent pages together.
func adviseRuns(f readerAt, hd sqliteHeader, pages []uint32, advise func(f readerAt, off, n int64)) {
	slices.Sort(pages)
	for i := 0; i < len(pages); {
		j := i + 1
		for j < len(pages) && pages[j] <= pages[j-1]+1 {
			j++
		}
		advise(f, int64(pages[i]-1)*int64(hd.pageSize), int64(pages[j-1]-pages[i]+1)*int64(hd.pageSize))
		i = j
	}
}

// childPages reads the table B-tree page in b (pk.page of a file whose
// pages use usable bytes) and returns the children to descend into for
// pk.keys, in order, each with its keys; leaf reports a leaf page, ok
// false a page that is not a well-formed table B-tree page.
func childPages(b []byte, usable int, pk pageKeys) (children []pageKeys, leaf, ok bool) {
	off := 0
	if pk.page == 1 {
		off = 100 // the file header
	}
	if len(b) < usable || off+12 > usable {
		return nil, false, false
	}
	switch b[off] {
	case leafTablePage:
		return nil, true, true
	case interiorTablePage:
	default:
		return nil, false, false
	}
	n := int(binary.BigEndian.Uint16(b[off+3:]))
	right := binary.BigEndian.Uint32(b[off+8:])
	ptrs := off + 12
	if ptrs+2*n > usable || right == 0 {
		return nil, false, false
	}
	// cell returns the left child and the key of cell i: every key of the
	// left child is at most the cell's key.
	cell := func(i int) (uint32, int64, bool) {
		c := int(binary.BigEndian.Uint16(b[ptrs+2*i:]))
		if c < ptrs+2*n || c+5 > usable {
			return 0, 0, false
		}
		child := binary.BigEndian.Uint32(b[c:])
		key, size := sqliteVarint(b[c+4 : usable])
		return child, key, size > 0 && child != 0
	}
	add := func(child uint32, key int64) {
		if last := len(children) - 1; last >= 0 && children[last].page == child {
			children[last].keys = append(children[last].keys, key)
			return
		}
		children = append(children, pageKeys{page: child, keys: []int64{key}})
	}
	i := 0
	for _, k := range pk.keys {
		for {
			if i == n {
				add(right, k)
				break
			}
			child, key, ok := cell(i)
			if !ok {
				return nil, false, false
			}
			if k <= key {
				add(child, k)
				break
			}
			i++
		}
	}
	return children, false, true
}

// sqliteVarint decodes the SQLite variable-length integer at the start of
// b: its value and its length in bytes, 0 when b ends first.
func sqliteVarint(b []byte) (int64, int) {
	var v uint64
	for i := 0; i < 8; i++ {
		if i == len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return int64(v), i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return int64(v<<8 | uint64(b[8])), 9
}

// readerAt is the part of *os.File the B-tree walk reads with.
type readerAt interface {
	ReadAt(b []byte, off int64) (int, error)
}
