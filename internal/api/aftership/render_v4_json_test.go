package aftership

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
)

// oddStrings are strings whose JSON encoding has a rule of its own.
var oddStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>alert('x')</script> & more", "tab\tnew\nline\rcr\bback\fform",
	"\x00\x01\x1f\x7f", "ünïcödé 日本語 🚚", "\u2028line\u2029para", "bad \xff\xfe utf-8 \xc3", "\xe2\x80", "+1 (555) 0100",
	"https://example.com/?a=1&b=<2>", "' single", "\u00a0nbsp", "\ufffd", "\U0010ffff",
}

func randomString(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return oddStrings[r.IntN(len(oddStrings))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	if r.IntN(2) == 0 {
		return string(b)
	}
	return oddStrings[r.IntN(len(oddStrings))] + string(b)
}

func randomFloat(r *rand.Rand) float64 {
	switch r.IntN(5) {
	case 0:
		return 0
	case 1:
		return r.NormFloat64() * 1e-8
	case 2:
		return r.NormFloat64() * 1e22
	case 3:
		return math.Copysign(0, -1)
	}
	return r.NormFloat64() * 100
}

func randomTime(r *rand.Rand) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	return time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("x", 3600*(r.IntN(25)-12)))
}

func randomStrings(r *rand.Rand) []string {
	if r.IntN(3) == 0 {
		return nil
	}
	s := make([]string, r.IntN(4))
	for i := range s {
		s[i] = randomString(r)
	}
	return s
}

// randomTracking fills every field the v4 render reads, each sometimes
// empty, with strings of every kind JSON escapes.
func randomTracking(r *rand.Rand) waybill.Tracking {
	str := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return randomString(r)
	}
	slugs := []string{"ups", "fedex", "dhl", "usps", "unknown-carrier", ""}
	tags := []waybill.Tag{waybill.TagPending, waybill.TagInTransit, waybill.TagDelivered, waybill.TagException, "Odd<&>"}
	t := waybill.Tracking{
		ID: str(), CreatedAt: randomTime(r), UpdatedAt: randomTime(r), LastUpdatedAt: randomTime(r),
		TrackingNumber: str(), Slug: slugs[r.IntN(len(slugs))], Active: r.IntN(2) == 0,
		Tag: tags[r.IntN(len(tags))], Subtag: []string{"", "InTransit_001", "Delivered_002", "Exception_011", str()}[r.IntN(5)],
		Title: str(), OrderID: str(), OrderIDPath: str(), OrderNumber: str(), OrderDate: str(),
		OrderPromisedDeliveryDate: str(), CustomerName: str(), Language: str(), Source: str(), Note: str(),
		Emails: randomStrings(r), Smses: randomStrings(r), SubscribedEmails: randomStrings(r), SubscribedSmses: randomStrings(r),
		TrackedCount: r.IntN(100) - 5, ShipmentPackageCount: r.IntN(5), ShipmentPickupDate: str(),
		ShipmentDeliveryDate: str(), ShipmentType: str(), ShipmentWeightUnit: str(), SignedBy: str(),
		OriginCountryISO3: str(), DestinationCountryISO3: str(), DestinationRawLocation: str(), ExpectedDelivery: str(),
		ReturnToSender: r.IntN(2) == 0, FirstAttemptedAt: str(), DeliveryType: str(), PickupLocation: str(),
		PickupNote: str(), CourierConnectionID: str(),
		CourierFields: waybill.CourierFields{PostalCode: str(), ShipDate: str(), AccountNumber: str(), Key: str(),
			OriginCountry: str(), DestinationCountry: str(), State: str()},
	}
	if r.IntN(2) == 0 {
		t.CustomFields = map[string]string{}
		for range r.IntN(5) {
			t.CustomFields[randomString(r)] = randomString(r)
		}
	}
	if r.IntN(2) == 0 {
		w := randomFloat(r)
		t.ShipmentWeight = &w
	}
	if r.IntN(2) == 0 {
		d := r.IntN(40) - 3
		t.DeliveryTime = &d
	}
	for range r.IntN(6) {
		c := waybill.Checkpoint{Slug: str(), CreatedAt: randomTime(r), CheckpointTime: str(), City: str(), State: str(),
			Zip: str(), CountryISO3: str(), CountryName: str(), Location: str(), Message: str(),
			Tag: tags[r.IntN(len(tags))], Subtag: []string{"", "InTransit_003", str()}[r.IntN(3)], RawTag: str()}
		if r.IntN(2) == 0 {
			c.Coordinates = []float64{randomFloat(r), randomFloat(r)}
		}
		t.Checkpoints = append(t.Checkpoints, c)
	}
	return t
}

// TestAppendTrackingV4 proves the hand-written v4 render gives the bytes
// encoding/json gives for the reflective one.
func TestAppendTrackingV4(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 2026))
	for i := range 5000 {
		tr := randomTracking(r)
		want, err := json.Marshal(renderTrackingV4(tr))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendTrackingV4(nil, tr)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("tracking %d (ok %v): mismatch\nwant %s\ngot  %s", i, ok, want, got)
		}
	}
}

// TestWriteTrackingV4 proves the hand-written response is the one
// writeEnvelope writes, and that a number JSON cannot carry is answered as
// writeEnvelope answers it.
func TestWriteTrackingV4(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 18))
	nan := math.NaN()
	inf := waybill.Tracking{ID: "inf", Checkpoints: []waybill.Checkpoint{{Coordinates: []float64{math.Inf(1), 0}}}}
	cases := []waybill.Tracking{{}, {ShipmentWeight: &nan}, inf}
	for range 200 {
		cases = append(cases, randomTracking(r))
	}
	for i, tr := range cases {
		for _, m := range []meta{{200, "", typeOK}, {201, "", typeCreated}, {200, "odd <&> \u2028", "T\""}} {
			want := httptest.NewRecorder()
			writeEnvelope(want, m.Code, m, map[string]any{"tracking": renderTrackingV4(tr)})
			got := httptest.NewRecorder()
			writeTrackingV4(got, m.Code, m, tr)
			if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) ||
				got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Fatalf("case %d: mismatch\nwant %d %s\ngot  %d %s", i, want.Code, want.Body, got.Code, got.Body)
			}
		}
	}
}

// FuzzAppendJSONString compares the string and number encoders with
// encoding/json's.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s, 1.5)
	}
	f.Add("x", 1e-7)
	f.Add("y", 1e21)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("string %q: want %s, got %s", s, want, got)
		}
		want, err := json.Marshal(x)
		got, ok := appendFloat(nil, x)
		if ok != (err == nil) || (ok && !bytes.Equal(got, want)) {
			t.Fatalf("number %v: want %s (%v), got %s (%v)", x, want, err, got, ok)
		}
	})
}

var benchTracking = func() waybill.Tracking {
	tr := randomTracking(rand.New(rand.NewPCG(1, 1)))
	for len(tr.Checkpoints) < 8 {
		tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Arrived at facility", City: "Louisville",
			CountryISO3: "USA", CheckpointTime: "2026-12-01T10:00:00-05:00", CreatedAt: time.Now(), Tag: waybill.TagInTransit, Subtag: "InTransit_001"})
	}
	return tr
}()

func BenchmarkRenderV4Reflect(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeOK(w, map[string]any{"tracking": renderTrackingV4(benchTracking)})
	}
}

func BenchmarkRenderV4Append(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeTrackingV4(w, http.StatusOK, meta{200, "", typeOK}, benchTracking)
	}
}
