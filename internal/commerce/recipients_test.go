package commerce_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestShipCopiesTheCustomerAsRecipient ships two purchases of sales whose
// customers can be told: the parcel's tracking lists the customer's email
// and the shipping phone and email, once each, so that notifications reach
// them. An address the tracking rules refuse is left out instead of
// stopping the parcel's tracking.
func TestShipCopiesTheCustomerAsRecipient(t *testing.T) {
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
			for _, tt := range []struct {
				sale, number string
				customer     commerce.CustomerInput
				defaults     commerce.SaleDefaults
				emails, sms  []string
			}{
				{
					sale: "S1", number: "1Z999AA10123456784",
					customer: commerce.CustomerInput{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
					defaults: commerce.SaleDefaults{ShippingPhone: "+447700900123", ShippingEmail: "ada@example.com"},
					emails:   []string{"ada@example.com"}, sms: []string{"+447700900123"},
				},
				{
					sale: "S2", number: "1Z999AA10123456795",
					customer: commerce.CustomerInput{FirstName: "Bob", Email: "bob@example.com"},
					defaults: commerce.SaleDefaults{ShippingPhone: "call me", ShippingEmail: "parcels@example.com"},
					emails:   []string{"bob@example.com", "parcels@example.com"},
				},
			} {
				qty, price := 1, 10.0
				res, err := com.ApplyNow(ctx, ch, &commerce.ManualSale{ExternalID: tt.sale, Customer: tt.customer, SaleDefaults: tt.defaults,
					LineItems: []commerce.LineItem{{ExternalID: "L1", Name: "Mug", Quantity: &qty, Price: &price,
						Properties: []commerce.PropertyInput{{Key: "vendor", Value: "vendor-a"}}}}})
				if err != nil || len(res.PurchaseIDs) != 1 {
					t.Fatalf("sale %s: %+v %v", tt.sale, res, err)
				}
				d, err := com.Ship(ctx, org.ID, res.PurchaseIDs[0], commerce.ShipInput{TrackingNumber: tt.number, TrackingCompany: "UPS"})
				if err != nil || d.TrackingID == "" {
					t.Fatalf("ship %s: %+v %v", tt.sale, d, err)
				}
				tr, err := trackings.Get(ctx, org.ID, d.TrackingID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.emails, tr.Emails); diff != "" {
					t.Errorf("%s: emails mismatch (-want +got):\n%s", tt.sale, diff)
				}
				if diff := cmp.Diff(tt.sms, tr.Smses); diff != "" {
					t.Errorf("%s: smses mismatch (-want +got):\n%s", tt.sale, diff)
				}
			}
		})
	}
}
