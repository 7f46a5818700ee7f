package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// putSQLiteVarint appends v in SQLite's variable-length encoding (the
// reference for sqliteVarint): 7 bits a byte, high bit set on all but the
// last, big-endian; a value needing more than 56 bits takes 9 bytes, the
// last with 8.
func putSQLiteVarint(b []byte, v uint64) []byte {
	if v>>56 != 0 {
		var out [9]byte
		out[8] = byte(v)
		v >>= 8
		for i := 7; i >= 0; i-- {
			out[i] = byte(v&0x7f) | 0x80
			v >>= 7
		}
		return append(b, out[:]...)
	}
	var rev []byte
	for {
		rev = append(rev, byte(v&0x7f))
		v >>= 7
		if v == 0 {
			break
		}
	}
	for i := len(rev) - 1; i >= 0; i-- {
		c := rev[i]
		if i > 0 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

func TestSQLiteVarint(t *testing.T) {
	t.Parallel()
	for _, v := range []uint64{0, 1, 127, 128, 240, 2287, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<56 - 1, 1 << 56, 1<<63 - 1, 1<<64 - 1} {
		b := putSQLiteVarint(nil, v)
		got, n := sqliteVarint(append(b, 0xff, 0xff))
		if uint64(got) != v || n != len(b) {
			t.Errorf("sqliteVarint(% x) = %d, %d; want %d, %d", b, got, n, v, len(b))
		}
		if _, n := sqliteVarint(b[:len(b)-1]); n != 0 {
			t.Errorf("sqliteVarint of %d cut short (% x) read %d bytes, want 0", v, b[:len(b)-1], n)
		}
	}
}

func TestParseSQLiteHeader(t *testing.T) {
	t.Parallel()
	header := func(size uint16, reserved byte) []byte {
		b := make([]byte, 100)
		copy(b, "SQLite format 3\x00")
		binary.BigEndian.PutUint16(b[16:], size)
		b[20] = reserved
		binary.BigEndian.PutUint32(b[40:], 7)
		return b
	}
	for _, tt := range []struct {
		b      []byte
		want   sqliteHeader
		wantOK bool
	}{
		{header(4096, 0), sqliteHeader{pageSize: 4096, usable: 4096, cookie: 7}, true},
		{header(1, 0), sqliteHeader{pageSize: 65536, usable: 65536, cookie: 7}, true},
		{header(1024, 32), sqliteHeader{pageSize: 1024, usable: 992, cookie: 7}, true},
		{header(1000, 0), sqliteHeader{}, false},
		{header(256, 0), sqliteHeader{}, false},
		{header(512, 40), sqliteHeader{}, false},
		{make([]byte, 100), sqliteHeader{}, false},
		{header(4096, 0)[:99], sqliteHeader{}, false},
	} {
		got, err := parseSQLiteHeader(tt.b)
		if (err == nil) != tt.wantOK || got != tt.want {
			t.Errorf("parseSQLiteHeader(page size % x, reserved %d) = %+v, %v; want %+v, ok %v", tt.b[16:18:18], tt.b[min(20, len(tt.b)-1)], got, err, tt.want, tt.wantOK)
		}
	}
}

// interiorPage builds an interior table B-tree page of size bytes: cells
// of (left child, key), keys ascending, and the right-most child.
func interiorPage(size int, cells [][2]uint64, right uint32) []byte {
	b := make([]byte, size)
	b[0] = interiorTablePage
	binary.BigEndian.PutUint16(b[3:], uint16(len(cells)))
	binary.BigEndian.PutUint32(b[8:], right)
	end := size
	for i, c := range cells {
		cell := binary.BigEndian.AppendUint32(nil, uint32(c[0]))
		cell = putSQLiteVarint(cell, c[1])
		end -= len(cell)
		copy(b[end:], cell)
		binary.BigEndian.PutUint16(b[12+2*i:], uint16(end))
	}
	return b
}

func TestChildPages(t *testing.T) {
	t.Parallel()
	// Keys up to 100 under page 10, up to 300 under 11, the rest under 12.
	page := interiorPage(512, [][2]uint64{{10, 100}, {11, 300}}, 12)
	children, leaf, ok := childPages(page, 512, pageKeys{page: 5, keys: []int64{1, 100, 101, 250, 301, 5000}})
	want := []pageKeys{{10, []int64{1, 100}}, {11, []int64{101, 250}}, {12, []int64{301, 5000}}}
	if !ok || leaf || !slices.EqualFunc(children, want, func(a, b pageKeys) bool { return a.page == b.page && slices.Equal(a.keys, b.keys) }) {
		t.Errorf("childPages = %v, leaf %v, ok %v; want %v", children, leaf, ok, want)
	}
	leafPage := make([]byte, 512)
	leafPage[0] = leafTablePage
	if _, leaf, ok := childPages(leafPage, 512, pageKeys{page: 5, keys: []int64{1}}); !leaf || !ok {
		t.Errorf("childPages of a leaf page: leaf %v, ok %v; want a leaf", leaf, ok)
	}
	for name, bad := range map[string][]byte{
		"index page":           append([]byte{0x02}, make([]byte, 511)...),
		"cell count past page": func() []byte { b := interiorPage(512, nil, 12); binary.BigEndian.PutUint16(b[3:], 300); return b }(),
		"cell inside pointers": func() []byte {
			b := interiorPage(512, [][2]uint64{{10, 100}}, 12)
			binary.BigEndian.PutUint16(b[12:], 4)
			return b
		}(),
		"cell past usable size": func() []byte {
			b := interiorPage(512, [][2]uint64{{10, 100}}, 12)
			binary.BigEndian.PutUint16(b[12:], 510)
			return b
		}(),
		"no right-most child": interiorPage(512, [][2]uint64{{10, 100}}, 0),
		"short buffer":        interiorPage(512, [][2]uint64{{10, 100}}, 12)[:100],
	} {
		if children, _, ok := childPages(bad, 512, pageKeys{page: 5, keys: []int64{1, 200}}); ok {
			t.Errorf("%s: childPages = %v, ok; want not ok", name, children)
		}
	}
}

// FuzzChildPages checks that any page bytes (a page half written by a
// checkpoint, a stale one) give no panic, and that what parses hands each
// key to exactly one child, in order.
func FuzzChildPages(f *testing.F) {
	f.Add(interiorPage(512, [][2]uint64{{10, 100}, {11, 300}}, 12), uint32(5), int64(1), int64(250))
	f.Add(interiorPage(512, [][2]uint64{{10, 1 << 60}}, 12), uint32(1), int64(-5), int64(1<<62))
	f.Fuzz(func(t *testing.T, page []byte, pageNo uint32, k1, k2 int64) {
		keys := []int64{min(k1, k2), max(k1, k2)}
		children, leaf, ok := childPages(page, min(len(page), 65536), pageKeys{page: pageNo, keys: keys})
		if !ok || leaf {
			return
		}
		var got []int64
		for _, c := range children {
			if c.page == 0 || len(c.keys) == 0 {
				t.Fatalf("child %+v", c)
			}
			got = append(got, c.keys...)
		}
		if !slices.Equal(got, keys) {
			t.Fatalf("children %v hold keys %v, want %v", children, got, keys)
		}
	})
}

// TestLeafPagesSkipsPagesInMemory walks a two-level B-tree (root page 2,
// leaves 3 and 4) and checks which pages it advises as the pages in
// memory vary: every page that is not in memory, and no other.
func TestLeafPagesSkipsPagesInMemory(t *testing.T) {
	t.Parallel()
	const size = 512
	leaf := make([]byte, size)
	leaf[0] = leafTablePage
	file := slices.Concat(make([]byte, size), interiorPage(size, [][2]uint64{{3, 100}}, 4), leaf, leaf)
	hd := sqliteHeader{pageSize: size, usable: size}
	for _, tt := range []struct {
		name     string
		inMemory []uint32
		want     [][2]int64 // advised (offset, length)
	}{
		{"none in memory", nil, [][2]int64{{size, size}, {2 * size, 2 * size}}},
		{"root in memory", []uint32{2}, [][2]int64{{2 * size, 2 * size}}},
		{"one leaf of two in memory", []uint32{2, 3}, [][2]int64{{3 * size, size}}},
		{"the other leaf in memory", []uint32{2, 4}, [][2]int64{{2 * size, size}}},
		{"the leaves in memory, not the root", []uint32{3, 4}, [][2]int64{{size, size}}},
		{"all in memory", []uint32{2, 3, 4}, nil},
	} {
		var got [][2]int64
		advise := func(_ readerAt, off, n int64) { got = append(got, [2]int64{off, n}) }
		resident := func(_ readerAt, off, _ int64) bool {
			return slices.Contains(tt.inMemory, uint32(off/size+1))
		}
		leafPages(bytes.NewReader(file), hd, 2, []int64{5, 200}, advise, resident)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: advised %v, want %v", tt.name, got, tt.want)
		}
	}
}
