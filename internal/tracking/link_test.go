package tracking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

func newService(t *testing.T, engine string) (*tracking.Service, *store.Store, int64) {
	t.Helper()
	st := testdb.Open(t, engine)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.Write().CreateOrg(context.Background(), "acme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	return &tracking.Service{Store: st, Queue: q, Now: func() time.Time { return now }}, st, org.ID
}

// TestFindOrCreate: the first call creates, the next finds the same
// tracking (with or without the slug), and a bad number is EINVALID.
func TestFindOrCreate(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, _, org := newService(t, engine)
			first, created, err := svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "1Z999AA10123456784", Slug: "ups"})
			if err != nil || !created {
				t.Fatalf("first FindOrCreate = %v, created %v; want a new tracking", err, created)
			}
			again, created, err := svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "1z999aa1 0123456784"})
			if err != nil || created || again.ID != first.ID {
				t.Errorf("second FindOrCreate = %s, created %v, %v; want %s found", again.ID, created, err, first.ID)
			}
			_, _, err = svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: " ", Slug: "ups"})
			if waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("blank number: %v, want EINVALID", err)
			}
		})
	}
}

// TestFindOrCreateJoinsCallerTx: inside the caller's transaction the
// tracking commits with the caller's own write or not at all, and an
// EINVALID leaves the caller's transaction usable (on PostgreSQL a failed
// statement would abort it).
func TestFindOrCreateJoinsCallerTx(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			svc, st, org := newService(t, engine)
			boom := errors.New("boom")
			err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				if _, _, err := svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "ROLLED0001", Slug: "dhl"}); err != nil {
					return err
				}
				return boom // the caller fails after the tracking was made
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want boom", err)
			}
			if _, err := svc.GetByNumber(ctx, org, "dhl", "ROLLED0001"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("the tracking outlived its caller's rollback: %v", err)
			}

			var made waybill.Tracking
			err = st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				_, _, err := svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "NOTACOURIER", Slug: "no-such-courier"})
				if waybill.ErrorCode(err) != waybill.EINVALID {
					t.Errorf("unknown slug: %v, want EINVALID", err)
				}
				if made, _, err = svc.FindOrCreate(ctx, org, tracking.CreateInput{TrackingNumber: "KEPT0001", Slug: "dhl"}); err != nil {
					return err
				}
				// The caller's reads in its transaction see the tracking.
				_, err = tx.Tracking(ctx, org, made.ID)
				return err
			})
			if err != nil {
				t.Fatalf("InTx after an EINVALID: %v", err)
			}
			if got, err := svc.Get(ctx, org, made.ID); err != nil || got.TrackingNumber != "KEPT0001" {
				t.Errorf("committed tracking: %+v, %v", got, err)
			}
		})
	}
}
