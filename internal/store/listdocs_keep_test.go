package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestListedDocsKeepFromSecondRead reads documents through the cache of
// listed documents: a document read once is not kept, one read twice is,
// and a kept one answers later reads with a copy of it, until its text
// changes.
func TestListedDocsKeepFromSecondRead(t *testing.T) {
	docs := seededDocs(t, 3)
	c := newListedDocs(2)
	read := func(seq int64, doc string) {
		t.Helper()
		want, err := decodeTracking(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.decode(seq, doc)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decode(%d) mismatch (-want +got):\n%s", seq, diff)
		}
	}
	kept := func(want ...int64) {
		t.Helper()
		var got []int64
		for e := c.lru.Front(); e != nil; e = e.Next() {
			got = append(got, e.Value.(*listedDoc).seq)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("kept documents, most recent first, mismatch (-want +got):\n%s", diff)
		}
	}
	read(1, docs[0])
	read(2, docs[1])
	kept()
	read(1, docs[0])
	kept(1)
	read(2, docs[1])
	kept(2, 1)
	read(1, docs[0]) // from the cache
	kept(1, 2)
	// Row 2's document changed: decoded afresh, and kept at its second read.
	read(2, docs[2])
	kept(1, 2)
	read(2, docs[2])
	kept(2, 1)
	// A third document read twice evicts the least recently used.
	read(3, docs[0])
	read(3, docs[0])
	kept(3, 2)
}
