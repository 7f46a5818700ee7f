package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTrackingVersionFollowsTheRow checks the fingerprint of a get by id:
// the same for two reads of an unchanged tracking, another after a
// change; a caller who has seen the version gets the version and the key
// generation without the tracking; a tracking of another organization,
// or none, is ENOTFOUND without seen being asked.
func TestTrackingVersionFollowsTheRow(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
			tr := newTracking(org.ID, "ups", "1Z0000000000000001")
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			gen, err := st.Read().APIKeyGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			read := func() store.TrackingRead {
				t.Helper()
				r, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(store.TrackingVersion) bool { return false })
				if err != nil {
					t.Fatal(err)
				}
				if r.Version == (store.TrackingVersion{}) || r.Seen || r.Tracking.ID != tr.ID || r.Gen != gen {
					t.Fatalf("version %v, seen %v, tracking %q, generation %d (want %d)", r.Version, r.Seen, r.Tracking.ID, r.Gen, gen)
				}
				return r
			}
			first, again := read(), read()
			if first.Version != again.Version {
				t.Fatal("two reads of an unchanged tracking differ in version")
			}
			var asked store.TrackingVersion
			seen, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(v store.TrackingVersion) bool { asked = v; return true })
			if err != nil {
				t.Fatal(err)
			}
			if !seen.Seen || asked != first.Version || seen.Version != first.Version || seen.Gen != gen || seen.Tracking.ID != "" {
				t.Errorf("seen read: seen %v, asked about the read's version %v, generation %d, tracking %q", seen.Seen, asked == first.Version, seen.Gen, seen.Tracking.ID)
			}
			for _, k := range []struct {
				org int64
				id  string
			}{{other.ID, tr.ID}, {org.ID, "nosuchtracking0000000000"}} {
				_, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, k.org, k.id, func(store.TrackingVersion) bool {
					t.Error("seen asked about a read that found nothing")
					return true
				})
				if waybill.ErrorCode(err) != waybill.ENOTFOUND {
					t.Errorf("organization %d, tracking %s: %v, want ENOTFOUND", k.org, k.id, err)
				}
			}

			tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Arrived", Tag: waybill.TagInTransit})
			if err := st.Write().UpdateTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			if scanned := read(); scanned.Version == first.Version || len(scanned.Tracking.Checkpoints) != 1 {
				t.Errorf("after a new checkpoint: version unchanged %v, %d checkpoints", scanned.Version == first.Version, len(scanned.Tracking.Checkpoints))
			}
		})
	}
}
