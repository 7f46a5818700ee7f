package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestListedTrackingsFollowUpdates lists a tracking twice (so that its
// decoded document is kept: a document is kept from its second read),
// changes the returned copy, updates the row, and lists again: the list
// must show the stored update, never the kept document or the caller's
// change to it.
func TestListedTrackingsFollowUpdates(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org := mustOrg(t, st, "acme")
			tr := newTracking(org.ID, "ups", "1Z999AA10123456784")
			tr.Emails = []string{"a@example.com"}
			tr.Checkpoints = []waybill.Checkpoint{{Slug: "ups", Message: "Label created", Tag: waybill.TagInfoReceived,
				CreatedAt: now, Coordinates: []float64{1, 2}}}
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			list := func() waybill.Tracking {
				t.Helper()
				page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Limit: 10})
				if err != nil || len(page.Trackings) != 1 {
					t.Fatalf("ListTrackings = %+v, %v; want one tracking", page, err)
				}
				return page.Trackings[0]
			}
			list()
			first := list()
			first.Emails[0] = "changed@example.com"
			first.Checkpoints[0].Message = "changed"
			first.Checkpoints[0].Coordinates[0] = 9
			if diff := cmp.Diff(*tr, list()); diff != "" {
				t.Errorf("list after changing an earlier result mismatch (-want +got):\n%s", diff)
			}

			updated := *tr
			updated.Title, updated.Tag = "updated", waybill.TagInTransit
			updated.Checkpoints = append([]waybill.Checkpoint{}, tr.Checkpoints...)
			updated.Checkpoints = append(updated.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Departed",
				Tag: waybill.TagInTransit, CreatedAt: now.Add(time.Hour)})
			updated.UpdatedAt = now.Add(time.Hour)
			if err := st.Write().UpdateTracking(ctx, &updated); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(updated, list()); diff != "" {
				t.Errorf("list after an update mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
