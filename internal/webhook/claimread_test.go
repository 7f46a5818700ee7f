package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// TestClaimAndReadReturnsWhatDeliveriesReads: the claim that reads its
// deliveries (one statement on PostgreSQL) returns each with the status,
// event and endpoint that a read of its key returns, and claims it as
// ClaimDueDeliveries does.
func TestClaimAndReadReturnsWhatDeliveriesReads(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		claimHarness(t, h, http.StatusOK)
		for range 3 {
			h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
		}
		const lease = time.Minute
		claimed, err := h.st.Write().ClaimAndReadDueDeliveries(ctx, h.clock(), lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 3 {
			t.Fatalf("claimed %d deliveries, want 3", len(claimed))
		}
		keys := make([]store.DeliveryKey, len(claimed))
		for i, d := range claimed {
			keys[i] = store.DeliveryKey{OrgID: d.OrgID, ID: d.ID}
		}
		read, err := h.st.Read().Deliveries(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range claimed {
			if diff := cmp.Diff(read[keys[i]], d); diff != "" {
				t.Errorf("claimed delivery %d mismatch (-read +claimed):\n%s", d.ID, diff)
			}
			if d.Event.ID == "" || d.Endpoint.URL == "" || d.Status != store.DeliveryPending {
				t.Errorf("claimed delivery %d without its event, endpoint or status: %+v", d.ID, d)
			}
		}
		if again, err := h.st.Write().ClaimAndReadDueDeliveries(ctx, h.clock().Add(lease-time.Microsecond), lease, 10); err != nil || len(again) != 0 {
			t.Errorf("claimed again within the lease: %d deliveries, %v", len(again), err)
		}
	})
}
