package waybill

import (
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func intp(n int) *int { return &n }

func TestDerive(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	tr := Tracking{CreatedAt: created, LastUpdatedAt: created, ExpectedDelivery: "2024-05-05"}
	label := cp("2024-05-01T09:00:00Z", "InfoReceived_001", "Label created")
	pickup := cp("2024-05-01T18:00:00Z", "InTransit_002", "Picked up")
	hub := cp("2024-05-02T23:00:00+02:00", "InTransit_003", "Arrived")
	ofd := cp("2024-05-03T08:00:00Z", "OutForDelivery_001", "Out for delivery")
	attempt := cp("2024-05-03T15:00:00Z", "AttemptFail_002", "Addressee not available")
	ready := cp("2024-05-03T16:00:00Z", "AvailableForPickup_001", "Ready for pickup")
	delivered := cp("2024-05-04T09:30:00Z", "Delivered_003", "Delivered, signed by: J. SMITH")
	collected := cp("2024-05-04T10:00:00Z", "Delivered_002", "Picked up by the customer")
	stray := cp("2024-05-04T12:00:00Z", "OutForDelivery_001", "Out for delivery")
	customs := cp("2024-05-02T10:00:00Z", "Exception_004", "Held by customs")
	returning := cp("2024-05-05T10:00:00Z", "Exception_010", "Returning to sender")
	returned := cp("2024-05-06T10:00:00Z", "Exception_011", "Returned to sender")

	for _, tt := range []struct {
		name string
		t    Tracking
		cps  []Checkpoint
		now  time.Time
		want Derived
	}{
		{"no checkpoints", tr, nil, now, Derived{
			Tag: TagPending, Subtag: "Pending_001", Active: true, ExpectedDelivery: "2024-05-05", DeliveryTime: intp(0)}},
		{"in transit", tr, []Checkpoint{hub, label, pickup}, now, Derived{
			Tag: TagInTransit, Subtag: "InTransit_003", Active: true, ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, DeliveryTime: intp(5)}},
		{"delivered, signed", tr, []Checkpoint{delivered, ofd, label, pickup, hub}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_003", ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, ShipmentDeliveryDate: delivered.CheckpointTime,
			DeliveryTime: intp(3), SignedBy: "J. SMITH", FirstAttemptedAt: delivered.CheckpointTime}},
		{"delivered after a failed attempt", tr, []Checkpoint{label, pickup, ofd, attempt, delivered}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_003", ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, ShipmentDeliveryDate: delivered.CheckpointTime,
			DeliveryTime: intp(3), SignedBy: "J. SMITH", FirstAttemptedAt: attempt.CheckpointTime}},
		{"available for pickup, then collected", tr, []Checkpoint{label, pickup, ready, collected}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_002", ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, ShipmentDeliveryDate: collected.CheckpointTime,
			DeliveryTime: intp(3), FirstAttemptedAt: ready.CheckpointTime}},
		{"exception, then delivered", tr, []Checkpoint{label, pickup, customs, ofd, delivered}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_003", ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, ShipmentDeliveryDate: delivered.CheckpointTime,
			DeliveryTime: intp(3), SignedBy: "J. SMITH", FirstAttemptedAt: delivered.CheckpointTime}},
		{"delivered is sticky", tr, []Checkpoint{label, delivered, stray}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_003", ExpectedDelivery: "2024-05-05",
			ShipmentDeliveryDate: delivered.CheckpointTime, DeliveryTime: intp(3), SignedBy: "J. SMITH",
			FirstAttemptedAt: delivered.CheckpointTime}},
		{"a later delivered scan refines the subtag", tr, []Checkpoint{label, collected, delivered}, now, Derived{
			Tag: TagDelivered, Subtag: "Delivered_002", ExpectedDelivery: "2024-05-05",
			ShipmentDeliveryDate: delivered.CheckpointTime, DeliveryTime: intp(3), SignedBy: "J. SMITH",
			FirstAttemptedAt: delivered.CheckpointTime}},
		{"a return after delivery undoes it", tr, []Checkpoint{label, pickup, delivered, returning, returned}, now, Derived{
			Tag: TagException, Subtag: "Exception_011", Active: true, ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, DeliveryTime: intp(5), FirstAttemptedAt: delivered.CheckpointTime,
			ReturnToSender: true}},
		{"returning to sender", tr, []Checkpoint{label, pickup, ofd, returning}, now, Derived{
			Tag: TagException, Subtag: "Exception_010", Active: true, ExpectedDelivery: "2024-05-05",
			ShipmentPickupDate: pickup.CheckpointTime, DeliveryTime: intp(5), ReturnToSender: true}},
		{"signed_by from the tracking's field", func() Tracking { x := tr; x.SignedBy = "FRONT DESK"; return x }(),
			[]Checkpoint{label, collected}, now, Derived{
				Tag: TagDelivered, Subtag: "Delivered_002", ExpectedDelivery: "2024-05-05",
				ShipmentDeliveryDate: collected.CheckpointTime, DeliveryTime: intp(3), SignedBy: "FRONT DESK",
				FirstAttemptedAt: collected.CheckpointTime}},
		{"signed_by is empty while undelivered", func() Tracking { x := tr; x.SignedBy = "FRONT DESK"; return x }(),
			[]Checkpoint{label}, now, Derived{
				Tag: TagInfoReceived, Subtag: "InfoReceived_001", Active: true, ExpectedDelivery: "2024-05-05",
				DeliveryTime: intp(5)}},
		{"not expired a second before 30 days", tr, []Checkpoint{label}, label0(label).Add(30*24*time.Hour - time.Second), Derived{
			Tag: TagInfoReceived, Subtag: "InfoReceived_001", Active: true, ExpectedDelivery: "2024-05-05",
			DeliveryTime: intp(30)}},
		{"expired at 30 days without news", tr, []Checkpoint{label}, label0(label).Add(30 * 24 * time.Hour), Derived{
			Tag: TagExpired, Subtag: "Expired_001", Expired: true, ExpectedDelivery: "2024-05-05",
			DeliveryTime: intp(30)}},
		{"expired pending", tr, nil, created.Add(30 * 24 * time.Hour), Derived{
			Tag: TagExpired, Subtag: "Expired_001", Expired: true, ExpectedDelivery: "2024-05-05", DeliveryTime: intp(0)}},
		{"delivered never expires", tr, []Checkpoint{delivered}, now.Add(90 * 24 * time.Hour), Derived{
			Tag: TagDelivered, Subtag: "Delivered_003", ExpectedDelivery: "2024-05-05",
			ShipmentDeliveryDate: delivered.CheckpointTime, DeliveryTime: intp(0), SignedBy: "J. SMITH",
			FirstAttemptedAt: delivered.CheckpointTime}},
		{"marked lost", func() Tracking { x := tr; x.CompletedReason = "LOST"; return x }(),
			[]Checkpoint{label}, now, Derived{
				Tag: TagException, Subtag: "Exception_013", ExpectedDelivery: "2024-05-05", DeliveryTime: intp(5)}},
		{"marked returned", func() Tracking { x := tr; x.CompletedReason = "RETURNED_TO_SENDER"; return x }(),
			nil, now, Derived{
				Tag: TagException, Subtag: "Exception_011", ExpectedDelivery: "2024-05-05", DeliveryTime: intp(0),
				ReturnToSender: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Derive(tt.t, tt.cps, tt.now, 0)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Derive mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func label0(c Checkpoint) time.Time {
	at, _ := ParseCheckpointTime(c.CheckpointTime)
	return at
}

func TestSignerOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Delivered, signed by: J. SMITH":        "J. SMITH",
		"Signed for by Alex.":                   "Alex",
		"DELIVERED - SIGNED BY MARTINEZ, FRONT": "MARTINEZ",
		"Delivered (received by: reception)":    "reception",
		"Delivered, In/At Mailbox":              "",
		"Signed by:":                            "",
		"designed by us":                        "",
	} {
		if got := signerOf(in); got != want {
			t.Errorf("signerOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDeriveIsPure checks that Derive depends only on the set of
// checkpoints: any order, with duplicates, gives the same result, and
// deriving again from the result changes nothing.
func TestDeriveIsPure(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(2))
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for range 300 {
		scans := randomScans(r, 1+r.Intn(15))
		tr := Tracking{CreatedAt: created, LastUpdatedAt: created.Add(time.Duration(r.Intn(100)) * time.Hour),
			ExpectedDelivery: "2024-05-09"}
		now := created.Add(time.Duration(r.Intn(60*24)) * time.Hour)
		want := Derive(tr, scans, now, 0)
		got := Derive(tr, shuffledWithDuplicates(r, scans), now, 0)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Derive of a permutation mismatch (-want +got):\n%s", diff)
		}
		after := tr
		want.Apply(&after)
		after.Checkpoints = scans
		if diff := cmp.Diff(want, Derive(after, scans, now, 0)); diff != "" {
			t.Fatalf("Derive is not idempotent (-want +got):\n%s", diff)
		}
		if !ValidSubtag(got.Tag, got.Subtag) {
			t.Fatalf("Derive gave %s with %s", got.Tag, got.Subtag)
		}
		if got.Active == (got.Tag == TagDelivered || got.Tag == TagExpired) {
			t.Fatalf("Derive gave %s with Active %v", got.Tag, got.Active)
		}
	}
}
