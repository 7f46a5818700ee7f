package store

import (
	"container/list"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/waybillhq/waybill"
)

// listedDocsMax bounds the decoded documents kept for tracking lists: two
// thousand trackings (ten v4 pages of 200, or twenty of 100) of a few kB
// each, a few MB in all.
const listedDocsMax = 2048

// listedDocs keeps the decoded form of the tracking documents that lists
// read last. Decoding the JSON documents was most of a list call's CPU
// (59 % of the v4 list handler in a profile: docs/benchmarks/scale.md),
// and the pages most asked for — the newest trackings, a dashboard
// refreshing — read the same documents again and again.
//
// An entry is found by the tracking's key and checked against a hash and
// the length of the document text just read, so a changed document (the
// tracking was updated) is decoded afresh: the cache never answers with
// an old version, whatever wrote the row. Callers get a copy they may
// change.
//
// A document is kept from its second read on. Keeping one costs a copy of
// the decoded tracking and the eviction of another (a miss cost 60 % more
// CPU than the decoding alone: docs/benchmarks/scale.md, session 9), and
// most documents a large account's lists read are read once: a walk
// through the account, a filter asked for once, a random page of a
// million trackings. Those now cost the decoding alone; a page read again
// is kept at its second read and served from memory from the third.
type listedDocs struct {
	seed  maphash.Seed
	mu    sync.Mutex
	max   int
	bySeq map[int64]*list.Element // of *listedDoc
	lru   list.List               // most recently used first
	// seen holds, in the slot of each key, the document last read there
	// and not kept: a second read of the same document keeps it.
	seen []seenDoc
}

// seenDoc is a document read once: its row's key and text's hash.
type seenDoc struct {
	seq int64
	sum uint64
}

type listedDoc struct {
	seq  int64
	sum  uint64
	size int
	t    waybill.Tracking
}

func newListedDocs(max int) *listedDocs {
	return &listedDocs{seed: maphash.MakeSeed(), max: max, bySeq: map[int64]*list.Element{}, seen: make([]seenDoc, 4*max)}
}

// decode returns the tracking stored as doc in row seq, decoded, from the
// cache when the same document was kept (read twice before).
func (c *listedDocs) decode(seq int64, doc string) (waybill.Tracking, error) {
	return c.decodeView(seq, doc, false)
}

// decodeView is decode; with borrowed, doc's memory is the caller's and
// is copied before it is decoded.
func (c *listedDocs) decodeView(seq int64, doc string, borrowed bool) (waybill.Tracking, error) {
	if c == nil {
		return decodeTracking(own(doc, borrowed))
	}
	sum := maphash.String(c.seed, doc)
	c.mu.Lock()
	if el, ok := c.bySeq[seq]; ok {
		if e := el.Value.(*listedDoc); e.sum == sum && e.size == len(doc) {
			c.lru.MoveToFront(el)
			t := cloneTracking(e.t)
			c.mu.Unlock()
			return t, nil
		}
	}
	slot := &c.seen[uint64(seq)%uint64(len(c.seen))]
	keep := *slot == seenDoc{seq, sum}
	if !keep {
		*slot = seenDoc{seq, sum}
	}
	c.mu.Unlock()
	t, err := decodeTracking(own(doc, borrowed))
	if err != nil || !keep {
		return t, err
	}
	e := &listedDoc{seq: seq, sum: sum, size: len(doc), t: cloneTracking(t)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.bySeq[seq]; ok {
		el.Value = e
		c.lru.MoveToFront(el)
		return t, nil
	}
	c.bySeq[seq] = c.lru.PushFront(e)
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.bySeq, last.Value.(*listedDoc).seq)
	}
	return t, nil
}

// decodeBytes is decode for a document in a buffer the caller reuses (a
// column of a row pgx received): it is hashed where it lies, and copied
// only when it is decoded (the decoded tracking's strings may share the
// document's memory), so a kept document costs no copy of its text.
func (c *listedDocs) decodeBytes(seq int64, doc []byte) (waybill.Tracking, error) {
	return c.decodeView(seq, bytesView(doc), true)
}

// cloneTracking copies t with everything it refers to, so that a change to
// the copy does not reach the cache. Every slice, map and pointer field of
// waybill.Tracking is here; TestCloneTrackingCopiesEveryReference fails
// when one is added and not copied.
func cloneTracking(t waybill.Tracking) waybill.Tracking {
	if t.Checkpoints != nil {
		t.Checkpoints = slices.Clone(t.Checkpoints)
		for i := range t.Checkpoints {
			t.Checkpoints[i].Coordinates = slices.Clone(t.Checkpoints[i].Coordinates)
		}
	}
	t.CustomFields = maps.Clone(t.CustomFields)
	t.Emails = slices.Clone(t.Emails)
	t.Smses = slices.Clone(t.Smses)
	t.SubscribedEmails = slices.Clone(t.SubscribedEmails)
	t.SubscribedSmses = slices.Clone(t.SubscribedSmses)
	t.ProofOfDelivery = slices.Clone(t.ProofOfDelivery)
	t.ShipmentTags = slices.Clone(t.ShipmentTags)
	if t.ShipmentWeight != nil {
		w := *t.ShipmentWeight
		t.ShipmentWeight = &w
	}
	if t.DeliveryTime != nil {
		d := *t.DeliveryTime
		t.DeliveryTime = &d
	}
	return t
}

// own returns doc, copied when its memory is borrowed.
func own(doc string, borrowed bool) string {
	if borrowed {
		return strings.Clone(doc)
	}
	return doc
}
