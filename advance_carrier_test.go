package waybill

import (
	"slices"
	"testing"
	"time"
)

// TestAdvanceCarrierFields: the carrier's window, dates and proof of
// delivery reach the tracking, and each change of the estimate (its date
// or its window) raises exactly one edd_revise.
func TestAdvanceCarrierFields(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(48 * time.Hour)
	tr := Tracking{ID: "t1", OrgID: 7, CreatedAt: created, UpdatedAt: created, LastUpdatedAt: created,
		Active: true, Tag: TagPending, Subtag: "Pending_001"}
	pickup := cp("2024-05-01T18:00:00Z", "InTransit_002", "Picked up")
	revisions := func(events []Event) int {
		n := 0
		for _, e := range events {
			if e.Type == EventEDDRevise {
				n++
			}
		}
		return n
	}

	window := News{Checkpoints: []Checkpoint{pickup}, ExpectedDeliveryMin: "2024-05-04", ExpectedDeliveryMax: "2024-05-06",
		PickupDate: "2024-05-01T17:45:00-04:00"}
	_, events := tr.Advance(window, now, 0)
	if revisions(events) != 1 {
		t.Fatalf("first window: %d edd_revise, want 1 (%+v)", revisions(events), events)
	}
	if tr.ExpectedDelivery != "2024-05-06" || tr.ExpectedDeliveryMin != "2024-05-04" || tr.ExpectedDeliveryMax != "2024-05-06" ||
		tr.FirstExpectedDelivery != "2024-05-06" {
		t.Errorf("window: expected %q [%q, %q], first %q", tr.ExpectedDelivery, tr.ExpectedDeliveryMin, tr.ExpectedDeliveryMax, tr.FirstExpectedDelivery)
	}
	if tr.ShipmentPickupDate != "2024-05-01T17:45:00-04:00" {
		t.Errorf("pickup date %q, want the carrier's own", tr.ShipmentPickupDate)
	}

	// The same estimate again is not a revision.
	if _, events = tr.Advance(window, now.Add(time.Hour), 0); revisions(events) != 0 {
		t.Errorf("same window again: %d edd_revise, want 0", revisions(events))
	}
	// A narrower window with the same end is one.
	narrower := News{ExpectedDeliveryMin: "2024-05-05", ExpectedDeliveryMax: "2024-05-06"}
	if _, events = tr.Advance(narrower, now.Add(2*time.Hour), 0); revisions(events) != 1 {
		t.Errorf("narrower window: %d edd_revise, want 1", revisions(events))
	}
	// A single day replaces the window, and keeps the first estimate.
	day := News{ExpectedDelivery: "2024-05-07"}
	if _, events = tr.Advance(day, now.Add(3*time.Hour), 0); revisions(events) != 1 {
		t.Errorf("new day: %d edd_revise, want 1", revisions(events))
	}
	if tr.ExpectedDelivery != "2024-05-07" || tr.ExpectedDeliveryMin != "" || tr.ExpectedDeliveryMax != "" || tr.FirstExpectedDelivery != "2024-05-06" {
		t.Errorf("day: expected %q [%q, %q], first %q", tr.ExpectedDelivery, tr.ExpectedDeliveryMin, tr.ExpectedDeliveryMax, tr.FirstExpectedDelivery)
	}
	// News without an estimate keeps it, and is not a revision.
	if _, events = tr.Advance(News{}, now.Add(4*time.Hour), 0); revisions(events) != 0 || tr.ExpectedDelivery != "2024-05-07" {
		t.Errorf("no estimate: %d edd_revise, expected %q", revisions(events), tr.ExpectedDelivery)
	}

	delivered := News{Checkpoints: []Checkpoint{cp("2024-05-07T10:00:00Z", "Delivered_001", "Delivered")},
		DeliveryDate: "2024-05-07T06:02:00-04:00", ProofOfDelivery: []string{"https://carrier.example/pod/1.png"}, SignedBy: "DOOR"}
	tr.Advance(delivered, now.Add(5*time.Hour), 0)
	if tr.Tag != TagDelivered || tr.ShipmentDeliveryDate != "2024-05-07T06:02:00-04:00" || tr.SignedBy != "DOOR" ||
		!slices.Equal(tr.ProofOfDelivery, []string{"https://carrier.example/pod/1.png"}) {
		t.Errorf("delivered: tag %s, delivery date %q, signed by %q, proof %v", tr.Tag, tr.ShipmentDeliveryDate, tr.SignedBy, tr.ProofOfDelivery)
	}
	// Derive is stable over the carrier's dates.
	again := Derive(tr, tr.Checkpoints, now.Add(6*time.Hour), 0)
	if again.ShipmentPickupDate != tr.ShipmentPickupDate || again.ShipmentDeliveryDate != tr.ShipmentDeliveryDate {
		t.Errorf("re-derived dates %q, %q; want %q, %q", again.ShipmentPickupDate, again.ShipmentDeliveryDate, tr.ShipmentPickupDate, tr.ShipmentDeliveryDate)
	}
}

// TestDeriveCarrierDeliveryDateOnlyWhileDelivered: the carrier's delivery
// date does not make an undelivered tracking look delivered.
func TestDeriveCarrierDeliveryDateOnlyWhileDelivered(t *testing.T) {
	t.Parallel()
	tr := Tracking{CreatedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), CarrierDeliveryDate: "2024-05-03"}
	d := Derive(tr, []Checkpoint{cp("2024-05-01T18:00:00Z", "InTransit_002", "Picked up")}, tr.CreatedAt.Add(time.Hour), 0)
	if d.ShipmentDeliveryDate != "" || d.Tag != TagInTransit {
		t.Errorf("in transit: delivery date %q, tag %s", d.ShipmentDeliveryDate, d.Tag)
	}
}
