package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestExpireStale: a tracking with no news for 30 days becomes Expired and
// inactive; a fresher one is left alone; a second sweep changes nothing.
func TestExpireStale(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
			svc := &tracking.Service{Store: st, Queue: q, Now: func() time.Time { return now }}
			old, err := svc.Create(ctx, org.ID, tracking.CreateInput{TrackingNumber: "OLD0001", Slug: "dhl"})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(20 * 24 * time.Hour)
			fresh, err := svc.Create(ctx, org.ID, tracking.CreateInput{TrackingNumber: "NEW0001", Slug: "dhl"})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(11 * 24 * time.Hour) // old: 31 days without news; fresh: 11
			if n, err := svc.ExpireStale(ctx); err != nil || n != 1 {
				t.Fatalf("ExpireStale = %d, %v; want 1", n, err)
			}
			got, _ := svc.Get(ctx, org.ID, old.ID)
			if got.Tag != waybill.TagExpired || got.Subtag != "Expired_001" || got.Active {
				t.Errorf("old tracking: %s/%s active=%v, want Expired_001 inactive", got.Tag, got.Subtag, got.Active)
			}
			if got, _ := svc.Get(ctx, org.ID, fresh.ID); got.Tag != waybill.TagPending || !got.Active {
				t.Errorf("fresh tracking: %s active=%v, want Pending and active", got.Tag, got.Active)
			}
			if n, err := svc.ExpireStale(ctx); err != nil || n != 0 {
				t.Errorf("second sweep = %d, %v; want 0", n, err)
			}
		})
	}
}
