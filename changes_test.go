package waybill

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChanges(t *testing.T) {
	t.Parallel()
	pending := Tracking{Tag: TagPending}
	transit := Tracking{Tag: TagInTransit, Checkpoints: []Checkpoint{cp("2024-05-01T10:00:00Z", "InTransit_002", "")}}
	withEDD := func(tr Tracking, edd string) Tracking { tr.ExpectedDelivery = edd; return tr }
	withTag := func(tr Tracking, tag Tag) Tracking { tr.Tag = tag; return tr }
	for _, tt := range []struct {
		name          string
		before, after Tracking
		want          []Change
	}{
		{"nothing", transit, transit, nil},
		{"first tag", pending, transit, []Change{{Type: EventTrackingUpdate, IsFirstTag: true, From: TagPending, To: TagInTransit}}},
		{"first tag from a new tracking", Tracking{}, withTag(pending, TagInfoReceived),
			[]Change{{Type: EventTrackingUpdate, IsFirstTag: true, To: TagInfoReceived}}},
		{"later tag", transit, withTag(transit, TagDelivered),
			[]Change{{Type: EventTrackingUpdate, From: TagInTransit, To: TagDelivered}}},
		{"back to pending is not a first tag", withTag(transit, TagPending), withTag(transit, TagInTransit),
			[]Change{{Type: EventTrackingUpdate, From: TagPending, To: TagInTransit}}},
		{"subtag only", transit, func() Tracking { x := transit; x.Subtag = "InTransit_003"; return x }(), nil},
		{"first estimate", transit, withEDD(transit, "2024-05-05"),
			[]Change{{Type: EventEDDRevise, From: TagInTransit, To: TagInTransit}}},
		{"revised estimate", withEDD(transit, "2024-05-05"), withEDD(transit, "2024-05-07"),
			[]Change{{Type: EventEDDRevise, From: TagInTransit, To: TagInTransit}}},
		{"estimate gone", withEDD(transit, "2024-05-05"), transit, nil},
		{"both", withEDD(transit, "2024-05-05"), withEDD(withTag(transit, TagException), "2024-05-08"), []Change{
			{Type: EventTrackingUpdate, From: TagInTransit, To: TagException},
			{Type: EventEDDRevise, From: TagException, To: TagException}}},
	} {
		if diff := cmp.Diff(tt.want, Changes(tt.before, tt.after)); diff != "" {
			t.Errorf("%s: Changes mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}
