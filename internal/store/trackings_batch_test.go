package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestInsertTrackings checks the batched insert and read-back of a bulk
// import on both engines: which rows are new, in the order given, and that
// another organization's tracking with the same number neither conflicts
// nor is read back.
func TestInsertTrackings(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			acme := mustOrg(t, st, "acme")
			other := mustOrg(t, st, "other")
			old := newTracking(acme.ID, "dhl", "1000000002")
			if err := st.Write().InsertTracking(ctx, old); err != nil {
				t.Fatal(err)
			}
			if err := st.Write().InsertTracking(ctx, newTracking(other.ID, "dhl", "1000000003")); err != nil {
				t.Fatal(err)
			}
			days := 4
			batch := []*waybill.Tracking{newTracking(acme.ID, "dhl", "1000000001"), newTracking(acme.ID, "dhl", "1000000002"),
				newTracking(acme.ID, "dhl", "1000000003"), newTracking(acme.ID, "ups", "1000000002")}
			batch[0].DeliveryTime = &days
			var got []bool
			err := st.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.InsertTrackings(ctx, batch)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := []bool{true, false, true, true}; !slices.Equal(got, want) {
				t.Errorf("inserted = %v, want %v", got, want)
			}
			stored, err := st.Read().Tracking(ctx, acme.ID, batch[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*batch[0], stored); diff != "" {
				t.Errorf("stored tracking differs (-inserted +stored):\n%s", diff)
			}
			keys := []store.TrackingKey{{Slug: "dhl", Number: "1000000002"}, {Slug: "dhl", Number: "1000000009"}, {Slug: "ups", Number: "1000000001"}}
			found, err := st.Read().TrackingsByNumbers(ctx, acme.ID, keys)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[keys[0]].ID != old.ID {
				t.Errorf("TrackingsByNumbers = %v, want only %s", found, old.ID)
			}
			found, err = st.Read().TrackingsByNumbers(ctx, other.ID, keys[:1])
			if err != nil || len(found) != 0 {
				t.Errorf("another organization's TrackingsByNumbers = %v, %v; want none", found, err)
			}
			// A second call with the same rows inserts none.
			again := []*waybill.Tracking{newTracking(acme.ID, "dhl", "1000000001"), newTracking(acme.ID, "ups", "1000000002")}
			got, err = st.Write().InsertTrackings(ctx, again)
			if err != nil || slices.Contains(got, true) {
				t.Errorf("second insert = %v, %v; want none inserted", got, err)
			}
		})
	}
}

// TestConnectedCouriers: only the keys whose organization has a connection
// of that courier are in the answer, for one key and for many, on both
// engines; another organization's connection counts for none of ours.
func TestConnectedCouriers(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			a, err := st.Write().CreateOrg(ctx, "a", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			b, err := st.Write().CreateOrg(ctx, "b", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, slug := range []string{"ups", "ups"} {
				if err := st.Write().InsertConnection(ctx, &waybill.CourierConnection{OrgID: a.ID, Slug: slug, Sealed: "x", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			for _, tt := range []struct {
				keys []store.OrgCourier
				want map[store.OrgCourier]bool
			}{
				{[]store.OrgCourier{{OrgID: a.ID, Slug: "ups"}}, map[store.OrgCourier]bool{{OrgID: a.ID, Slug: "ups"}: true}},
				{[]store.OrgCourier{{OrgID: b.ID, Slug: "ups"}}, map[store.OrgCourier]bool{}},
				{[]store.OrgCourier{{OrgID: a.ID, Slug: "dhl"}, {OrgID: b.ID, Slug: "ups"}, {OrgID: a.ID, Slug: "ups"}},
					map[store.OrgCourier]bool{{OrgID: a.ID, Slug: "ups"}: true}},
				{nil, map[store.OrgCourier]bool{}},
			} {
				got, err := st.Read().ConnectedCouriers(ctx, tt.keys)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ConnectedCouriers(%v) mismatch (-want +got):\n%s", tt.keys, diff)
				}
			}
		})
	}
}
