package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPageVersionFollowsTheRows checks the fingerprint a page read returns:
// the same for two reads of unchanged data, another one after any change to
// what the page shows (the tracking, the organization's branding, another
// tracking joining the order), and that a caller who has seen the version
// gets only the version back.
func TestPageVersionFollowsTheRows(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org := mustOrg(t, st, "acme")
			tr := newTracking(org.ID, "ups", "1Z0000000000000001")
			tr.OrderID = "O-1"
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			read := func(order bool) store.PageTrackings {
				t.Helper()
				pt, err := st.Read().TrackingPage(ctx, tr.PageToken, order)
				if err != nil {
					t.Fatal(err)
				}
				if pt.Version == (store.PageVersion{}) || pt.Seen {
					t.Fatalf("version %v, seen %v", pt.Version, pt.Seen)
				}
				return pt
			}
			first, again := read(false), read(false)
			if first.Version != again.Version {
				t.Fatal("two reads of unchanged data differ in version")
			}
			order := read(true)

			var got store.PageVersion
			seen, err := st.Read().TrackingPageUnlessSeen(ctx, tr.PageToken, false, func(v store.PageVersion) bool { got = v; return true })
			if err != nil {
				t.Fatal(err)
			}
			if !seen.Seen || got != first.Version || seen.Version != first.Version || len(seen.Trackings) != 0 {
				t.Errorf("seen read: seen %v, asked about the read's version %v, %d trackings", seen.Seen, got == first.Version, len(seen.Trackings))
			}
			unseen, err := st.Read().TrackingPageUnlessSeen(ctx, tr.PageToken, false, func(store.PageVersion) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			if unseen.Seen || len(unseen.Trackings) != 1 || unseen.Version != first.Version {
				t.Errorf("unseen read: seen %v, %d trackings", unseen.Seen, len(unseen.Trackings))
			}
			none, err := st.Read().TrackingPageUnlessSeen(ctx, "nosuchtokennosuchtoken", false, func(store.PageVersion) bool {
				t.Error("seen asked about a read that found nothing")
				return true
			})
			if err != nil || none.Seen || len(none.Trackings) != 0 {
				t.Errorf("unknown token: %v, seen %v, %d trackings", err, none.Seen, len(none.Trackings))
			}

			// A new scan.
			tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Arrived", Tag: waybill.TagInTransit})
			if err := st.Write().UpdateTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			scanned := read(false)
			if scanned.Version == first.Version {
				t.Error("a new checkpoint left the version unchanged")
			}
			// New branding.
			if err := st.Write().PutBranding(ctx, org.ID, waybill.Branding{DisplayName: "Acme Outdoor", UpdatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			branded := read(false)
			if branded.Version == scanned.Version {
				t.Error("new branding left the version unchanged")
			}
			// Another tracking of the order changes the order's page only.
			sibling := newTracking(org.ID, "dhl", "JD0000000000000002")
			sibling.OrderID = "O-1"
			if err := st.Write().InsertTracking(ctx, sibling); err != nil {
				t.Fatal(err)
			}
			if read(false).Version != branded.Version {
				t.Error("another tracking of the order changed the tracking's own page version")
			}
			orderBefore := order.Version
			if o := read(true); o.Version == orderBefore || len(o.Trackings) != 2 {
				t.Errorf("the order's page: version changed %v, %d trackings", o.Version != orderBefore, len(o.Trackings))
			}
		})
	}
}
