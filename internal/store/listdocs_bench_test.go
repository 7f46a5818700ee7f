package store

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// seededDocs returns n stored documents of `waybill bench seed`'s
// trackings (spread over 180 days, so of every age and journey length).
func seededDocs(tb testing.TB, n int) []string {
	tb.Helper()
	g := &seedGen{rng: rand.New(rand.NewPCG(18, 6)), now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), span: 180 * 24 * time.Hour}
	docs := make([]string, n)
	for i := range docs {
		t := g.tracking(i, n, 1, 0)
		raw, err := json.Marshal(docOf(&t))
		if err != nil {
			tb.Fatal(err)
		}
		docs[i] = string(raw)
	}
	return docs
}

// BenchmarkDecodeListedPage decodes a page of 100 seeded documents read
// for the first time: what a list call at a million trackings mostly does
// besides the query (the listed-docs cache rarely holds them).
func BenchmarkDecodeListedPage(b *testing.B) {
	docs := seededDocs(b, 100)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			if _, err := decodeTracking(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkListedDocsMiss is BenchmarkDecodeListedPage through the cache
// of listed documents, every document new to it (read once: not kept).
func BenchmarkListedDocsMiss(b *testing.B) {
	docs := seededDocs(b, 100)
	c := newListedDocs(listedDocsMax)
	seq := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			seq++
			if _, err := c.decode(seq, d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkListedDocsHit reads the same page again through the cache.
func BenchmarkListedDocsHit(b *testing.B) {
	docs := seededDocs(b, 100)
	c := newListedDocs(listedDocsMax)
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range docs {
			if _, err := c.decode(int64(i), d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
