package aftership

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
)

// TestAppendTrackingOfDated proves that the 2026-07 object appended
// straight from a tracking is the one appendTrackingDated writes for the
// rendered value with its page links, over trackings of every shape the
// render distinguishes.
func TestAppendTrackingOfDated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(6, 2026))
	for i := range 3000 {
		tr := randomTrackingDated(r)
		switch i % 9 {
		case 0:
			tr.ExpectedDelivery, tr.ExpectedDeliveryMin, tr.ExpectedDeliveryMax = randomString(r), "", ""
		case 1:
			tr.Checkpoints, tr.ProofOfDelivery, tr.ShipmentTags = nil, []string{}, nil
		case 2:
			tr.Emails, tr.Smses, tr.CustomerName = nil, nil, randomString(r)
		case 3:
			tr.PageToken, tr.OrderNumber = "tok\xe2\x80", randomString(r)
		case 4:
			tr.CourierFields = waybill.CourierFields{State: "S", PostalCode: "P", OriginCountry: "DEU", DestinationCountry: "FRA"}
			tr.DestinationState, tr.DestinationPostalCode, tr.OriginCountryISO3, tr.DestinationCountryISO3 = "", "", "", ""
		case 5:
			for j := range tr.Checkpoints {
				tr.Checkpoints[j].Message = strings.Repeat("long message ", 60)
				tr.Checkpoints[j].Coordinates = []float64{randomFloat(r), randomFloat(r)}
			}
		}
		publicURL := []string{"", "https://track.example.com/", "http://127.0.0.1:8080", "https://x.example/<&>"}[r.IntN(4)]
		d := withPageLinks(renderTrackingDated(tr), tr, publicURL)
		want, wantOK := appendTrackingDated(nil, &d)
		got, gotOK := appendTrackingOfDated(nil, &tr, publicURL)
		if wantOK != gotOK || (wantOK && !bytes.Equal(got, want)) {
			t.Fatalf("tracking %d (ok %v, want %v): mismatch\nwant %s\ngot  %s", i, gotOK, wantOK, want, got)
		}
	}
}

// TestAppendCheckpointHash compares the hash written without allocations
// with the core's.
func TestAppendCheckpointHash(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(6, 6))
	for i := range 2000 {
		c := randomTracking(r).Checkpoints
		for j := range c {
			if i%10 == 0 {
				c[j].Message = strings.Repeat("m", 600)
			}
			want := waybill.CheckpointHash(c[j])
			if got := string(appendCheckpointHash(nil, &c[j])); got != want {
				t.Fatalf("checkpoint %d.%d: hash %s, want %s", i, j, got, want)
			}
		}
	}
}
