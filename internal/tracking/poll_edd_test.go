package tracking_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestPollCarrierEstimate: the carrier's window, dates and proof of
// delivery reach the stored tracking through polls, and each change of
// the window writes exactly one edd_revise, however often the same
// estimate is polled.
func TestPollCarrierEstimate(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var mu sync.Mutex
			answer := carrier.FetchResult{}
			set := func(r carrier.FetchResult) { mu.Lock(); answer = r; mu.Unlock() }
			c := &scriptedCarrier{answer: func(req carrier.FetchRequest) (carrier.FetchResult, error) {
				mu.Lock()
				defer mu.Unlock()
				return answer, nil
			}}
			e := newPollEnv(t, engine, "royal-mail", c)
			e.svc.Dispatcher = &webhook.Service{Store: e.st} // events are stored by the dispatcher
			tr := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			poll := func() {
				t.Helper()
				tr = e.get(t, e.org.ID, tr.ID)
				e.now = tr.NextPollAt
				if err := e.svc.Poll(ctx, e.org.ID, tr.ID, tr.NextPollAt); err != nil {
					t.Fatalf("poll: %v", err)
				}
				tr = e.get(t, e.org.ID, tr.ID)
			}
			revisions := func() int {
				t.Helper()
				events, _, err := e.st.Read().Events(ctx, e.org.ID, time.Time{}, e.now.Add(time.Hour), 1000)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, ev := range events {
					if ev.Type == waybill.EventEDDRevise {
						n++
					}
				}
				return n
			}
			scan := waybill.Checkpoint{CheckpointTime: "2026-11-02T08:00:00Z", Message: "Accepted", Tag: waybill.TagInTransit, Subtag: "InTransit_002"}
			window := carrier.FetchResult{Checkpoints: []waybill.Checkpoint{scan}, ExpectedDelivery: "2026-11-06",
				ExpectedDeliveryMin: "2026-11-04", ExpectedDeliveryMax: "2026-11-06", PickupDate: "2026-11-02T07:45:00Z"}
			set(window)
			poll()
			poll()
			poll()
			if got := revisions(); got != 1 {
				t.Errorf("the same window polled three times: %d edd_revise, want 1", got)
			}
			if tr.ExpectedDelivery != "2026-11-06" || tr.ExpectedDeliveryMin != "2026-11-04" || tr.ExpectedDeliveryMax != "2026-11-06" ||
				tr.ShipmentPickupDate != "2026-11-02T07:45:00Z" {
				t.Errorf("stored: %q [%q, %q], pickup %q", tr.ExpectedDelivery, tr.ExpectedDeliveryMin, tr.ExpectedDeliveryMax, tr.ShipmentPickupDate)
			}
			window.ExpectedDeliveryMin = "2026-11-05"
			set(window)
			poll()
			poll()
			if got := revisions(); got != 2 {
				t.Errorf("after a narrower window: %d edd_revise, want 2", got)
			}
			delivered := window
			delivered.Checkpoints = append(delivered.Checkpoints, waybill.Checkpoint{CheckpointTime: "2026-11-05T10:00:00Z",
				Message: "Delivered", Tag: waybill.TagDelivered, Subtag: "Delivered_001"})
			delivered.DeliveryDate, delivered.ProofOfDelivery = "2026-11-05T09:58:00Z", []string{"https://carrier.example/pod/1"}
			set(delivered)
			poll()
			if tr.Tag != waybill.TagDelivered || tr.ShipmentDeliveryDate != "2026-11-05T09:58:00Z" ||
				!slices.Equal(tr.ProofOfDelivery, []string{"https://carrier.example/pod/1"}) || tr.FirstExpectedDelivery != "2026-11-06" {
				t.Errorf("delivered: %s, delivery date %q, proof %v, first estimate %q", tr.Tag, tr.ShipmentDeliveryDate, tr.ProofOfDelivery, tr.FirstExpectedDelivery)
			}
			if got := revisions(); got != 2 {
				t.Errorf("delivery with the same window: %d edd_revise, want 2", got)
			}
		})
	}
}
