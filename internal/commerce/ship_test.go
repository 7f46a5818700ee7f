package commerce_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// failingTrackings makes the parcel's tracking, as the tracking core
// would, and then fails: whatever it wrote must not outlive Ship's
// transaction.
type failingTrackings struct{ real *tracking.Service }

func (f failingTrackings) FindOrCreate(ctx context.Context, orgID int64, in tracking.CreateInput) (waybill.Tracking, bool, error) {
	if _, _, err := f.real.FindOrCreate(ctx, orgID, in); err != nil {
		return waybill.Tracking{}, false, err
	}
	return waybill.Tracking{}, false, waybill.Errorf(waybill.EINTERNAL, "tracking store broke")
}

// failingEvents refuses to write the fulfillment event, after the tracking
// and the dropshipment are written.
type failingEvents struct{ *webhook.Service }

func (failingEvents) Dispatch(context.Context, *store.Tx, ...waybill.Event) error {
	return errors.New("event store broke")
}

// TestShipIsOneTransaction ships a purchase while the tracking core, or
// the event that closes the change, fails: the tracking, the
// dropshipment, its items, the purchase's status and the event commit
// together or not at all. Then it ships for real, and again with the same
// number: one dropshipment, one tracking.
func TestShipIsOneTransaction(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			webhooks := &webhook.Service{Store: st, Queue: q}
			trackings := &tracking.Service{Store: st, Queue: q, Dispatcher: webhooks}
			com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			name := "Shop"
			ch, err := com.CreateChannel(ctx, org.ID, commerce.ChannelInput{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			qty, price := 2, 10.0
			res, err := com.ApplyNow(ctx, ch, &commerce.ManualSale{ExternalID: "S1", LineItems: []commerce.LineItem{{ExternalID: "L1",
				Name: "Mug", Quantity: &qty, Price: &price, Properties: []commerce.PropertyInput{{Key: "vendor", Value: "vendor-a"}}}}})
			if err != nil || len(res.PurchaseIDs) != 1 {
				t.Fatalf("sale: %+v %v", res, err)
			}
			purchase := res.PurchaseIDs[0]
			count := func(table string) int {
				t.Helper()
				var n int
				if err := st.Writer().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			snapshot := func() string {
				return fmt.Sprintf("trackings=%d dropshipments=%d dropshipment_items=%d events=%d", count("trackings"),
					count("dropshipments"), count("dropshipment_items"), count("events"))
			}
			before := snapshot()
			in := commerce.ShipInput{TrackingNumber: "1Z999AA10123456784", TrackingCompany: "UPS"}

			broken := &commerce.Service{Store: st, Trackings: failingTrackings{trackings}, Events: webhooks}
			if _, err := broken.Ship(ctx, org.ID, purchase, in); err == nil {
				t.Fatal("ship succeeded although its tracking failed")
			}
			if after := snapshot(); after != before {
				t.Errorf("a failed tracking left rows behind:\nbefore %s\nafter  %s", before, after)
			}
			broken = &commerce.Service{Store: st, Trackings: trackings, Events: failingEvents{webhooks}}
			if _, err := broken.Ship(ctx, org.ID, purchase, in); err == nil {
				t.Fatal("ship succeeded although its event failed")
			}
			if after := snapshot(); after != before {
				t.Errorf("a failed event left the tracking or the dropshipment behind:\nbefore %s\nafter  %s", before, after)
			}
			p, err := st.Read().Purchase(ctx, org.ID, purchase)
			if err != nil || p.Status != waybill.PurchaseStatusOpen {
				t.Errorf("purchase after failed ships: %+v %v", p, err)
			}

			d, err := com.Ship(ctx, org.ID, purchase, in)
			if err != nil || d.TrackingID == "" || d.Slug != "ups" {
				t.Fatalf("ship: %+v %v", d, err)
			}
			again, err := com.Ship(ctx, org.ID, purchase, in)
			if err != nil || again.ID != d.ID {
				t.Fatalf("ship again: %+v %v, want dropshipment %d", again, err, d.ID)
			}
			if got := fmt.Sprintf("trackings=%d dropshipments=%d", count("trackings"), count("dropshipments")); got != "trackings=1 dropshipments=1" {
				t.Errorf("after shipping twice: %s", got)
			}
		})
	}
}
