package webhook_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestDispatchManyMatchesOneByOne dispatches the same run of events, more
// than one insert statement takes (1,000), to the same endpoints on two
// fresh databases of each engine: once with one Dispatch per event, once
// with DispatchMany. Both must store the same events (ids, order, payloads)
// and the same deliveries, each with its job.
func TestDispatchManyMatchesOneByOne(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			run := func(many bool) ([]waybill.Event, []string) {
				h := newHarness(t, engine)
				for _, ep := range []webhook.EndpointInput{
					{URL: ptr("https://hooks.example.com/all")},
					{URL: ptr("https://hooks.example.com/updates"), Events: ptr([]string{waybill.EventTrackingUpdate})},
					{URL: ptr("https://hooks.example.com/sales"), Events: ptr([]string{waybill.EventSaleDropship})},
					{URL: ptr("https://hooks.example.com/off"), Enabled: ptr(false)},
				} {
					if _, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, ep); err != nil {
						t.Fatal(err)
					}
				}
				events := make([]waybill.Event, 1234)
				for i := range events {
					typ := waybill.EventTrackingUpdate
					if i%3 == 0 {
						typ = waybill.EventSaleDropship
					}
					events[i] = waybill.Event{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), OrgID: h.org.ID, Type: typ,
						TrackingID: fmt.Sprintf("t%d", i), Detail: fmt.Sprintf(`{"n":%d}`, i), CreatedAt: h.clock()}
				}
				err := h.st.WithTx(ctx, func(tx *store.Tx) error {
					if many {
						return h.svc.DispatchMany(ctx, tx, events)
					}
					for _, e := range events {
						if err := h.svc.Dispatch(ctx, tx, e); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				stored, _, err := h.st.Read().Events(ctx, h.org.ID, time.Time{}, time.Time{}, 10_000)
				if err != nil {
					t.Fatal(err)
				}
				for i := range stored {
					stored[i].OrgID = 0
				}
				var deliveries []string
				for _, id := range h.queue.take() {
					d, err := h.st.Read().Delivery(ctx, h.org.ID, id)
					if err != nil {
						t.Fatalf("delivery %d: %v", id, err)
					}
					deliveries = append(deliveries, d.Event.ID+" "+d.Endpoint.URL+" "+d.Status)
				}
				slices.Sort(deliveries)
				return stored, deliveries
			}
			oneEvents, oneDeliveries := run(false)
			manyEvents, manyDeliveries := run(true)
			if len(oneEvents) != 1234 || len(oneDeliveries) <= 1000 {
				t.Fatalf("one by one: %d events, %d deliveries", len(oneEvents), len(oneDeliveries))
			}
			for i, e := range manyEvents {
				if want := fmt.Sprintf("00000000-0000-4000-8000-%012d", i); e.ID != want {
					t.Fatalf("DispatchMany: event %d in seq order is %s, want %s", i, e.ID, want)
				}
			}
			if !reflect.DeepEqual(oneEvents, manyEvents) {
				t.Errorf("events differ:\none by one %+v\nDispatchMany %+v", oneEvents[:2], manyEvents[:2])
			}
			if !slices.Equal(oneDeliveries, manyDeliveries) {
				t.Errorf("deliveries differ: %d one by one, %d with DispatchMany", len(oneDeliveries), len(manyDeliveries))
			}
		})
	}
}

// TestDispatchManySetsIDs checks that DispatchMany gives each event
// without an id a new one, in the caller's slice, and stores it under it.
func TestDispatchManySetsIDs(t *testing.T) {
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		events := []waybill.Event{{OrgID: h.org.ID, Type: waybill.EventTrackingUpdate, CreatedAt: h.clock()},
			{OrgID: h.org.ID, Type: waybill.EventTrackingUpdate, CreatedAt: h.clock()}}
		if err := h.st.WithTx(ctx, func(tx *store.Tx) error { return h.svc.DispatchMany(ctx, tx, events) }); err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.ID == "" {
				t.Fatal("event id left empty")
			}
			if _, _, err := h.st.Read().Event(ctx, h.org.ID, e.ID); err != nil {
				t.Fatalf("event %s: %v", e.ID, err)
			}
		}
		mixed := []waybill.Event{{OrgID: h.org.ID, Type: waybill.EventTrackingUpdate}, {OrgID: h.org.ID + 1, Type: waybill.EventTrackingUpdate}}
		if err := h.st.WithTx(ctx, func(tx *store.Tx) error { return h.svc.DispatchMany(ctx, tx, mixed) }); err == nil {
			t.Fatal("DispatchMany took events of two organizations")
		}
	})
}
