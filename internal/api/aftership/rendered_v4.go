package aftership

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/memo"
	"github.com/waybillhq/waybill/internal/tracking"
)

// unlessSeenGets is what Trackings may offer besides (tracking.Service
// does): the read of GetAtKeyGeneration that skips decoding a tracking
// whose stored row the caller has already rendered. Without it every get
// decodes and renders.
type unlessSeenGets interface {
	GetAtKeyGenerationUnlessSeen(ctx context.Context, orgID int64, id string, seen func(tracking.Version) bool) (tracking.Read, error)
}

// renderedV4Key names a tracking as the memo keeps it: its organization
// and id.
type renderedV4Key struct {
	orgID int64
	id    string
}

// renderedV4 is a v4 get's whole 200 response body; once shared it is
// never changed.
type renderedV4 struct {
	body   []byte
	length []string // the Content-Length header's value, no spare capacity
}

// The memo's bounds: about 2 kB per tracking of a few checkpoints; a body
// over maxKeptV4Bytes is rendered at each get.
const (
	renderedV4Max      = 4096
	renderedV4MaxBytes = 16 << 20
	maxKeptV4Bytes     = 64 << 10
)

// renderedV4s memoizes the v4 get's rendered bodies, so that a tracking
// read again unchanged is neither decoded nor rendered again. An entry is
// used only for a get whose read returned exactly the row the entry was
// made from (tracking.Version, a fingerprint of every column of the row
// read): every get still reads the database, in its organization and
// with its key generation, so any committed change, from whatever
// instance, gives a new Version and a fresh render, and nothing is
// served that the read would not have given. A nil *renderedV4s keeps
// nothing.
type renderedV4s = memo.Memo[renderedV4Key, tracking.Version, *renderedV4]

func newRenderedV4s(max, maxBytes int) *renderedV4s {
	return memo.New[renderedV4Key, tracking.Version, *renderedV4](max, maxBytes, maxKeptV4Bytes)
}

// jsonContentType is the Content-Type header's value of every JSON
// response written from the memo (one element, no spare capacity).
var jsonContentType = []string{"application/json; charset=utf-8"}[:1:1]

// write answers 200 with e's body: the bytes writeTrackingOKV4 writes.
func (e *renderedV4) write(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = e.length
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.body)
}

// getV4Rendered is getV4ByIDAtKeyGeneration without fields, through the
// memo: a tracking whose row was rendered before is answered with that
// body. It serves only when the read's key generation is gen (readHandler).
func (a *API) getV4Rendered(w http.ResponseWriter, r *http.Request, gets unlessSeenGets, org waybill.Organization, gen int64) bool {
	id := r.PathValue("id")
	key := renderedV4Key{orgID: org.ID, id: id}
	var kept *renderedV4
	read, err := gets.GetAtKeyGenerationUnlessSeen(r.Context(), org.ID, id, func(v tracking.Version) bool {
		kept, _ = a.renderedV4.Get(key, v)
		return kept != nil
	})
	if err != nil || read.Gen != gen {
		return false
	}
	if read.Seen {
		kept.write(w)
		return true
	}
	bp := jsonBuffers.get()
	defer jsonBuffers.put(bp)
	b, ok := appendTrackingOKV4(*bp, read.Tracking)
	*bp = b
	if !ok {
		writeTrackingOKV4(w, read.Tracking)
		return true
	}
	e := &renderedV4{body: bytes.Clone(b)}
	e.length = []string{strconv.Itoa(len(e.body))}[:1:1]
	a.renderedV4.Put(key, read.Version, e, len(e.body))
	e.write(w)
	return true
}
