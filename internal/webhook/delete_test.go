package webhook_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestDeleteEndpointDeletesItsDeliveriesAndAttempts deletes one of two
// endpoints that were each sent an event, and checks that its deliveries
// and their attempts are gone and the other endpoint's are kept. On
// PostgreSQL attempts have no foreign key to their delivery (migration
// 00027), so the deletion itself must remove them.
func TestDeleteEndpointDeletesItsDeliveriesAndAttempts(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		rcv := newReceiver(t, http.StatusOK)
		var eps []waybill.WebhookEndpoint
		for _, path := range []string{"/gone", "/kept"} {
			ep, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(rcv.URL + path)})
			if err != nil {
				t.Fatal(err)
			}
			eps = append(eps, ep)
		}
		d := h.deliverer([]byte(`{}`))
		for _, id := range h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit}) {
			if err := d.Deliver(ctx, h.org.ID, id, 1); err != nil {
				t.Fatal(err)
			}
		}
		count := func(table string) int {
			t.Helper()
			var n int
			if err := h.st.Writer().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := count("delivery_attempts"); got != 2 {
			t.Fatalf("%d attempts recorded before the deletion, want 2", got)
		}
		if err := h.svc.DeleteEndpoint(ctx, h.org.ID, eps[0].ID); err != nil {
			t.Fatal(err)
		}
		if got, want := [2]int{count("deliveries"), count("delivery_attempts")}, [2]int{1, 1}; got != want {
			t.Errorf("after the deletion: %d deliveries and %d attempts, want %d and %d", got[0], got[1], want[0], want[1])
		}
		kept, err := h.svc.Attempts(ctx, h.org.ID, eps[1].ID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != 1 {
			t.Errorf("the kept endpoint lists %d attempts, want 1", len(kept))
		}
	})
}
