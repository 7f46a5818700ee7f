package aftership

import (
	"bytes"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/waybillhq/waybill"
)

// TestWriteListV4 proves the hand-written v4 list response is the one
// writeOK writes for the page's data object: over pages of random
// trackings and echoed parameters of every kind JSON escapes, with a field
// selection, and with a number JSON cannot carry.
func TestWriteListV4(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 22))
	nan := math.NaN()
	for i := range 300 {
		p := listPageV4{
			Page: r.IntN(1000) + 1, Limit: r.IntN(200) + 1, Count: r.IntN(1_000_000),
			Keyword: randomString(r), Slug: randomString(r), Tag: randomString(r),
			CreatedAtMin: randomString(r), CreatedAtMax: randomString(r),
			Origin: randomStrings(r), Destination: randomStrings(r), ReturnToSender: randomStrings(r),
		}
		for range r.IntN(6) {
			p.Trackings = append(p.Trackings, randomTracking(r))
		}
		switch i % 10 {
		case 0:
			p.Fields = "tag, title,checkpoints"
		case 1:
			p.Fields = "  "
		case 2:
			p.Trackings = append(p.Trackings, waybill.Tracking{ID: "nan", ShipmentWeight: &nan})
		case 3:
			p.Trackings = nil
		case 4:
			p.Trackings = []waybill.Tracking{}
		}
		want := httptest.NewRecorder()
		writeOK(want, p.data())
		got := httptest.NewRecorder()
		writeListV4(got, p)
		if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) ||
			got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Fatalf("page %d: mismatch\nwant %d %s\ngot  %d %s", i, want.Code, want.Body, got.Code, got.Body)
		}
	}
}

var benchListPage = func() listPageV4 {
	p := listPageV4{Page: 1, Limit: 100, Count: 10_000}
	for range 100 {
		p.Trackings = append(p.Trackings, benchTracking)
	}
	return p
}()

func BenchmarkListV4Reflect(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeOK(w, benchListPage.data())
	}
}

func BenchmarkListV4Append(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeListV4(w, benchListPage)
	}
}
