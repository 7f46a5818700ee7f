package aftership

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/waybillhq/waybill"
)

// randomTrackingDated is randomTracking with the fields only the 2026-07
// render reads, and country codes it knows.
func randomTrackingDated(r *rand.Rand) waybill.Tracking {
	t := randomTracking(r)
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	str := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return randomString(r)
	}
	t.OriginCountryISO3 = pick("", "USA", "DEU", "XYZ", t.OriginCountryISO3)
	t.DestinationCountryISO3 = pick("", "GBR", "FRA", t.DestinationCountryISO3)
	t.CourierFields.OriginCountry = pick("", "CAN", t.CourierFields.OriginCountry)
	t.CourierFields.DestinationCountry = pick("", "JPN", t.CourierFields.DestinationCountry)
	t.DestinationState, t.DestinationCity, t.DestinationPostalCode = str(), str(), str()
	t.ExpectedDelivery, t.ExpectedDeliveryMin, t.ExpectedDeliveryMax, t.FirstExpectedDelivery = str(), str(), str(), str()
	t.ShipmentDirection = pick("", "outbound", "return", "sideways")
	t.ProofOfDelivery, t.ShipmentTags = randomStrings(r), randomStrings(r)
	t.PageToken = str()
	for i := range t.Checkpoints {
		c := &t.Checkpoints[i]
		c.CountryISO3 = pick("", "USA", "NLD", c.CountryISO3)
		if r.IntN(4) == 0 {
			c.Tag = waybill.TagAttemptFail
		}
		if r.IntN(5) == 0 {
			c.Coordinates = []float64{randomFloat(r)} // one number: no coordinate
		}
	}
	return t
}

// TestAppendTrackingDated proves the hand-written 2026-07 render gives the
// bytes encoding/json gives for the reflective one.
func TestAppendTrackingDated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 2026))
	for i := range 3000 {
		tr := randomTrackingDated(r)
		d := withPageLinks(renderTrackingDated(tr), tr, []string{"", "https://track.example.com/"}[i%2])
		if i%7 == 0 { // the fields no tracking sets today: every kind of value they could take
			s, n := randomString(r), r.IntN(9)-4
			d.OriginState, d.OnTimeStatus, d.OnTimeDifference, d.LocationID = &s, &s, &n, &s
			d.ShipmentDimensions, d.FirstMile, d.CarbonEmissions = &struct{}{}, &struct{}{}, &struct{}{}
			d.OrderTags, d.Customers, d.Checkpoints = nil, nil, nil
			d.OrderPromisedDeliveryDate = &promisedDeliveryDate{PromisedDeliveryDateMin: &s}
			d.Customers = []customerDated{{Role: &s, ID: &s}}
		}
		if i%11 == 0 && len(d.Checkpoints) > 0 {
			d.Checkpoints[0].Events = []checkpointEvent{{Code: randomString(r)}, {Reason: &struct {
				Code string `json:"code"`
			}{Code: randomString(r)}}}
			d.Checkpoints[0].Events = append(d.Checkpoints[0].Events, checkpointEvent{})
			if i%22 == 0 {
				d.Checkpoints[0].Events = nil
			}
		}
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendTrackingDated(nil, &d)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("tracking %d (ok %v): mismatch\nwant %s\ngot  %s", i, ok, want, got)
		}
	}
}

// TestWriteListDated proves the hand-written 2026-07 list response is the
// one writeOK writes for the page's data object, with a field selection
// and with a number JSON cannot carry.
func TestWriteListDated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 7))
	nan, inf := math.NaN(), math.Inf(-1)
	for i := range 200 {
		p := listPageDated{
			Pagination: pagination{Total: r.IntN(1_000_000), NextCursor: randomString(r), HasNextPage: r.IntN(2) == 0},
			PublicURL:  []string{"", "http://127.0.0.1:8080", "https://t.example.com/"}[r.IntN(3)],
		}
		for range r.IntN(6) {
			p.Trackings = append(p.Trackings, randomTrackingDated(r))
		}
		switch i % 10 {
		case 0:
			p.Fields = "tag,checkpoints, title"
		case 1:
			p.Fields = " "
		case 2:
			p.Trackings = append(p.Trackings, waybill.Tracking{ID: "nan", ShipmentWeight: &nan})
		case 3:
			p.Trackings = append(p.Trackings, waybill.Tracking{ID: "inf", Checkpoints: []waybill.Checkpoint{{Coordinates: []float64{1, inf}}}})
		case 4:
			p.Trackings = nil
		}
		want := httptest.NewRecorder()
		writeOK(want, p.data())
		got := httptest.NewRecorder()
		writeListDated(got, p)
		if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) ||
			got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Fatalf("page %d: mismatch\nwant %d %s\ngot  %d %s", i, want.Code, want.Body, got.Code, got.Body)
		}
	}
}

var benchListPageDated = listPageDated{Trackings: benchListPage.Trackings, PublicURL: "https://t.example.com",
	Pagination: pagination{Total: 10_000, NextCursor: encodeCursor(12345), HasNextPage: true}}

func BenchmarkListDatedReflect(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeOK(w, benchListPageDated.data())
	}
}

func BenchmarkListDatedAppend(b *testing.B) {
	w := httptest.NewRecorder()
	for b.Loop() {
		w.Body.Reset()
		writeListDated(w, benchListPageDated)
	}
}
