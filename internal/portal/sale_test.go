package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
)

// TestOrderLookupOfOnportSale proves an Onport sale with two dropshipments
// by the phone number on its shipping address: the page lists its lines,
// its recipient and both parcels.
func TestOrderLookupOfOnportSale(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		now := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		q := f.st.Write()
		ch := waybill.Channel{OrgID: f.org.ID, Name: "shop", WebhookHash: "hash-portal-test", CreatedAt: now}
		if err := q.InsertChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		sale := waybill.Sale{OrgID: f.org.ID, ChannelID: ch.ID, ExternalID: "S1001", Reference: "#5001",
			Status: waybill.SaleStatusDropship, DateOrdered: now, CreatedAt: now, UpdatedAt: now,
			Shipping: waybill.Address{FirstName: "Bea", LastName: "Lindqvist", AddressLine1: "Storgatan 1",
				City: "Malmö", Zip: "211 34", Country: "SE", Phone: "+46 70 123 45 67"}}
		if err := q.SaveSale(ctx, &sale); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"Tent", "Stove"} {
			it := waybill.SaleItem{OrgID: f.org.ID, SaleID: sale.ID, ExternalID: name, Name: name, Quantity: i + 1,
				CreatedAt: now, UpdatedAt: now}
			if err := q.SaveSaleItem(ctx, &it); err != nil {
				t.Fatal(err)
			}
		}
		// commerce's Ship makes each dropshipment's tracking with the
		// sale's external id and reference and the shipping name.
		f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456784", OrderID: "S1001", OrderNumber: "#5001",
			CustomerName: "Bea Lindqvist", Source: "onport"})
		f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "9400100000000000000000", Slug: "usps", OrderID: "S1001",
			OrderNumber: "#5001", CustomerName: "Bea Lindqvist", Source: "onport"})

		if _, err := f.svc.LookupOrder(ctx, f.org.ID, "#5001", "070-123 45 68"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Fatalf("another phone number: %v, want ENOTFOUND", err)
		}
		for _, phone := range []string{"0046701234567", "070-123 45 67"} { // with the country code, and as dialled at home
			if _, err := f.svc.LookupOrder(ctx, f.org.ID, "#5001", phone); err != nil {
				t.Fatalf("phone %q: %v", phone, err)
			}
		}
		p, err := f.svc.LookupOrder(ctx, f.org.ID, "#5001", "+46 70 123 45 67")
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(p); !cmp.Equal(got, []string{"1Z999AA10123456784", "9400100000000000000000"}) {
			t.Errorf("shipments = %v", got)
		}
		want := &portal.Order{Number: "#5001", Proven: true,
			Items:     []portal.Item{{Name: "Tent", Quantity: 1}, {Name: "Stove", Quantity: 2}},
			Recipient: &portal.Recipient{Name: "Bea Lindqvist", Address: []string{"Storgatan 1", "211 34 Malmö", "SE"}}}
		if diff := cmp.Diff(want, p.Order); diff != "" {
			t.Errorf("order mismatch (-want +got):\n%s", diff)
		}
		// The parcel's own page shows the order's other parcel, and neither
		// the lines nor the recipient.
		tp, err := f.svc.OrderPage(ctx, p.Shipments[1].Token)
		if err != nil || len(tp.Shipments) != 2 || tp.Order.Proven || tp.Order.Items != nil || tp.Order.Recipient != nil {
			t.Errorf("order page = %+v, %v", tp.Order, err)
		}
	})
}
