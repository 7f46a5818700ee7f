package carrier

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
)

func TestChanges(t *testing.T) {
	t.Parallel()
	pending := waybill.Tracking{Tag: waybill.TagPending}
	transit := waybill.Tracking{Tag: waybill.TagInTransit, Checkpoints: []waybill.Checkpoint{cp("2024-05-01T10:00:00Z", "InTransit_002", "")}}
	withEDD := func(tr waybill.Tracking, edd string) waybill.Tracking { tr.ExpectedDelivery = edd; return tr }
	withTag := func(tr waybill.Tracking, tag waybill.Tag) waybill.Tracking { tr.Tag = tag; return tr }
	for _, tt := range []struct {
		name          string
		before, after waybill.Tracking
		want          []Change
	}{
		{"nothing", transit, transit, nil},
		{"first tag", pending, transit, []Change{{Type: waybill.EventTrackingUpdate, IsFirstTag: true, From: waybill.TagPending, To: waybill.TagInTransit}}},
		{"first tag from a new tracking", waybill.Tracking{}, withTag(pending, waybill.TagInfoReceived),
			[]Change{{Type: waybill.EventTrackingUpdate, IsFirstTag: true, To: waybill.TagInfoReceived}}},
		{"later tag", transit, withTag(transit, waybill.TagDelivered),
			[]Change{{Type: waybill.EventTrackingUpdate, From: waybill.TagInTransit, To: waybill.TagDelivered}}},
		{"back to pending is not a first tag", withTag(transit, waybill.TagPending), withTag(transit, waybill.TagInTransit),
			[]Change{{Type: waybill.EventTrackingUpdate, From: waybill.TagPending, To: waybill.TagInTransit}}},
		{"subtag only", transit, func() waybill.Tracking { x := transit; x.Subtag = "InTransit_003"; return x }(), nil},
		{"first estimate", transit, withEDD(transit, "2024-05-05"),
			[]Change{{Type: waybill.EventEDDRevise, From: waybill.TagInTransit, To: waybill.TagInTransit}}},
		{"revised estimate", withEDD(transit, "2024-05-05"), withEDD(transit, "2024-05-07"),
			[]Change{{Type: waybill.EventEDDRevise, From: waybill.TagInTransit, To: waybill.TagInTransit}}},
		{"estimate gone", withEDD(transit, "2024-05-05"), transit, nil},
		{"both", withEDD(transit, "2024-05-05"), withEDD(withTag(transit, waybill.TagException), "2024-05-08"), []Change{
			{Type: waybill.EventTrackingUpdate, From: waybill.TagInTransit, To: waybill.TagException},
			{Type: waybill.EventEDDRevise, From: waybill.TagException, To: waybill.TagException}}},
	} {
		if diff := cmp.Diff(tt.want, Changes(tt.before, tt.after)); diff != "" {
			t.Errorf("%s: Changes mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}
