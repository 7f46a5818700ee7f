package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestSingleTrackingReads checks the one-row reads that go through pgx
// directly on PostgreSQL (pgxread.go) as they do through database/sql:
// the tracking and the key generation, ENOTFOUND for another
// organization's or a missing tracking, an error for a cancelled
// request, and the pool still serving every read after that.
func TestSingleTrackingReads(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
			tr := newTracking(org.ID, "ups", "1Z0000000000000001")
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			want, err := st.Read().APIKeyGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, gen, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, tr.ID)
			if err != nil || got.ID != tr.ID || got.TrackingNumber != tr.TrackingNumber || got.OrgID != org.ID || gen != want {
				t.Fatalf("read %+v at generation %d (want %d): %v", got.ID, gen, want, err)
			}
			for _, c := range []struct {
				org int64
				id  string
			}{{other.ID, tr.ID}, {org.ID, "nosuchtracking"}} {
				if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, c.org, c.id); waybill.ErrorCode(err) != waybill.ENOTFOUND {
					t.Errorf("organization %d, tracking %s: %v, want ENOTFOUND", c.org, c.id, err)
				}
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			if _, _, err := st.Read().TrackingAtKeyGeneration(cancelled, org.ID, tr.ID); err == nil {
				t.Error("a read with a cancelled context succeeded")
			}
			if _, err := st.Read().TrackingPage(cancelled, tr.PageToken, false); err == nil {
				t.Error("a page read with a cancelled context succeeded")
			}
			for i := range 40 { // more than the pool's connections
				if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, tr.ID); err != nil {
					t.Fatalf("read %d after the cancelled ones: %v", i, err)
				}
			}
		})
	}
}
