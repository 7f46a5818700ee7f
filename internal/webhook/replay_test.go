package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestReplayRangeQueuesEveryEventOnce replays a range of more events than
// one insert statement takes (1,000), some of a type the endpoint does not
// subscribe to, and checks that each subscribed event gets exactly one new
// delivery to that endpoint, and its job.
func TestReplayRangeQueuesEveryEventOnce(t *testing.T) {
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ep, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr("https://hooks.example.com/x"),
			Events: ptr([]string{waybill.EventTrackingUpdate})})
		if err != nil {
			t.Fatal(err)
		}
		since := h.clock()
		want := map[string]bool{}
		for i := range 2345 {
			typ := waybill.EventTrackingUpdate
			if i%10 == 0 {
				typ = waybill.EventSaleDropship // not subscribed: not replayed
			}
			e := waybill.Event{OrgID: h.org.ID, Type: typ, Detail: "{}", CreatedAt: since.Add(time.Duration(i) * time.Millisecond)}
			if _, err := h.st.Write().InsertEvent(ctx, &e); err != nil {
				t.Fatal(err)
			}
			if typ == waybill.EventTrackingUpdate {
				want[e.ID] = true
			}
		}
		n, err := h.svc.ReplayRange(ctx, h.org.ID, ep.ID, since, since.Add(time.Hour))
		if err != nil || n != len(want) {
			t.Fatalf("ReplayRange = %d, %v; want %d", n, err, len(want))
		}
		queued := h.queue.take()
		if len(queued) != len(want) {
			t.Fatalf("%d jobs queued, want %d", len(queued), len(want))
		}
		seen := map[string]bool{}
		for _, id := range queued {
			d, err := h.st.Read().Delivery(ctx, h.org.ID, id)
			if err != nil {
				t.Fatalf("delivery %d: %v", id, err)
			}
			if d.Endpoint.ID != ep.ID || !want[d.Event.ID] || seen[d.Event.ID] {
				t.Fatalf("delivery %d: endpoint %s, event %s (subscribed %v, seen before %v)", id, d.Endpoint.ID, d.Event.ID, want[d.Event.ID], seen[d.Event.ID])
			}
			seen[d.Event.ID] = true
		}
	})
}
