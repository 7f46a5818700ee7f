package waybill

import (
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAdvance(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 5, 4, 12, 0, 0, 0, time.UTC)
	fresh := func() Tracking {
		return Tracking{ID: "t1", OrgID: 7, CreatedAt: created, UpdatedAt: created, LastUpdatedAt: created,
			Active: true, Tag: TagPending, Subtag: "Pending_001", Checkpoints: []Checkpoint{}}
	}
	label := cp("2024-05-01T09:00:00Z", "InfoReceived_001", "Label created")
	pickup := cp("2024-05-01T18:00:00Z", "InTransit_002", "Picked up")
	delivered := cp("2024-05-04T09:30:00Z", "Delivered_001", "Delivered to the front door")

	t.Run("first scans", func(t *testing.T) {
		tr := fresh()
		added, events := tr.Advance(News{Checkpoints: []Checkpoint{pickup, label, pickup}}, now, 0)
		if added != 2 || tr.Tag != TagInTransit || !tr.LastUpdatedAt.Equal(now) || !tr.UpdatedAt.Equal(now) {
			t.Fatalf("added %d, tag %s, last updated %v, updated %v", added, tr.Tag, tr.LastUpdatedAt, tr.UpdatedAt)
		}
		if diff := cmp.Diff([]Checkpoint{label, pickup}, tr.Checkpoints); diff != "" {
			t.Errorf("checkpoints mismatch (-want +got):\n%s", diff)
		}
		snapshot := tr
		want := []Event{{OrgID: 7, Type: EventTrackingUpdate, TrackingID: "t1", Tag: TagInTransit, FirstTag: true,
			Tracking: &snapshot, CreatedAt: now}}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
		// The same news again is no news.
		later := now.Add(time.Hour)
		added, events = tr.Advance(News{Checkpoints: []Checkpoint{label, pickup}}, later, 0)
		if added != 0 || len(events) != 0 || !tr.LastUpdatedAt.Equal(now) || !tr.UpdatedAt.Equal(later) {
			t.Errorf("repeat: added %d, events %v, last updated %v, updated %v", added, events, tr.LastUpdatedAt, tr.UpdatedAt)
		}
	})
	t.Run("estimate and signer from the carrier", func(t *testing.T) {
		tr := fresh()
		_, events := tr.Advance(News{Checkpoints: []Checkpoint{label, pickup}, ExpectedDelivery: "2024-05-05"}, now, 0)
		if len(events) != 2 || events[1].Type != EventEDDRevise || tr.ExpectedDelivery != "2024-05-05" {
			t.Fatalf("events %+v, expected delivery %q", events, tr.ExpectedDelivery)
		}
		_, _ = tr.Advance(News{Checkpoints: []Checkpoint{delivered}, SignedBy: "FRONT DESK"}, now, 0)
		if tr.Tag != TagDelivered || tr.Active || tr.SignedBy != "FRONT DESK" || tr.ExpectedDelivery != "2024-05-05" {
			t.Errorf("delivered: tag %s, active %v, signed by %q, expected %q", tr.Tag, tr.Active, tr.SignedBy, tr.ExpectedDelivery)
		}
	})
	t.Run("carrier gives up", func(t *testing.T) {
		tr := fresh()
		_, events := tr.Advance(News{Checkpoints: []Checkpoint{label}, Expired: true}, now, 0)
		if tr.Tag != TagExpired || tr.Subtag != "Expired_001" || tr.Active || len(events) != 1 || events[0].Tag != TagExpired {
			t.Errorf("tag %s/%s, active %v, events %+v", tr.Tag, tr.Subtag, tr.Active, events)
		}
		done := fresh()
		done.Advance(News{Checkpoints: []Checkpoint{delivered}}, now, 0)
		done.Advance(News{Expired: true}, now, 0)
		if done.Tag != TagDelivered {
			t.Errorf("a carrier giving up on a delivered parcel made it %s", done.Tag)
		}
	})
	t.Run("no news for too long", func(t *testing.T) {
		tr := fresh()
		_, events := tr.Advance(News{}, created.Add(48*time.Hour), 48*time.Hour)
		if tr.Tag != TagExpired || tr.Active || len(events) != 1 {
			t.Errorf("tag %s, active %v, events %d; want Expired, inactive, one event", tr.Tag, tr.Active, len(events))
		}
		young := fresh()
		young.Advance(News{}, created.Add(47*time.Hour), 48*time.Hour)
		if young.Tag != TagPending || !young.Active {
			t.Errorf("a day short of expiry: %s, active %v", young.Tag, young.Active)
		}
	})
}

// TestAdvanceOrderIndependent: the same scans advanced in any batches, in
// any order, with repeats, leave the tracking in the same state, and every
// scan is counted as new exactly once.
func TestAdvanceOrderIndependent(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(3))
	created := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(10 * 24 * time.Hour)
	ignore := cmpopts.IgnoreFields(Checkpoint{}, "CreatedAt")
	for range 200 {
		scans := randomScans(r, 1+r.Intn(15))
		want := Tracking{CreatedAt: created, LastUpdatedAt: created, Tag: TagPending, Active: true}
		want.Advance(News{Checkpoints: scans}, now, 0)
		got := Tracking{CreatedAt: created, LastUpdatedAt: created, Tag: TagPending, Active: true}
		total := 0
		for in := shuffledWithDuplicates(r, scans); len(in) > 0; {
			n := 1 + r.Intn(len(in))
			added, _ := got.Advance(News{Checkpoints: in[:n]}, now, 0)
			total += added
			in = in[n:]
		}
		if diff := cmp.Diff(want, got, ignore); diff != "" {
			t.Fatalf("batched Advance mismatch (-want +got):\n%s", diff)
		}
		if total != len(scans) {
			t.Fatalf("%d checkpoints counted new, want %d", total, len(scans))
		}
	}
}
