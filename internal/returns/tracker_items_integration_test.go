package returns_test

import (
	"slices"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/trackers"
	"github.com/waybillhq/waybill/internal/tracking"
)

func str(s string) *string { return &s }

// tracker makes a delivered tracker through the Tracker API's core, with
// the shopper's email and postal code and the given items.
func (e *env) tracker(org waybill.Organization, ext, number, group string, items []map[string]any) trackers.View {
	e.t.Helper()
	core := &trackers.Service{Store: e.st, Trackings: e.trackings, Now: e.clock}
	if _, err := core.CreateProvider(e.ctx, org.ID, waybill.TrackerProviderInput{Name: str("Fleet " + ext), Slug: str("dhl")}); err != nil {
		e.t.Fatal(err)
	}
	in := waybill.TrackerInput{Provider: str("Fleet " + ext), TrackingID: str(number), ExternalID: str(ext), Type: str("delivery"),
		Pickup:          &waybill.TrackerPickup{Address: &waybill.TrackerAddress{Street1: "1 Dock Road", City: "Leeds", CountryCode: "GB"}},
		DeliveryAddress: &waybill.TrackerAddress{Street1: "2 Baker St", City: "London", PostalCode: "NW1 6XE", CountryCode: "GB"},
		DeliveryContact: &waybill.TrackerContact{Name: "Ann", Email: "ann@example.com"}, Items: &items}
	if group != "" {
		in.GroupID = str(group)
	}
	v, err := core.Create(e.ctx, org.ID, in)
	if err != nil {
		e.t.Fatalf("tracker: %v", err)
	}
	at := e.clock().Add(-day).Format(time.RFC3339)
	if _, err := e.trackings.PushCheckpoints(e.ctx, org.ID, tracking.PushInput{Slug: "dhl", TrackingNumber: number,
		Checkpoints: []waybill.Checkpoint{{CheckpointTime: at, Message: "Delivered", Tag: waybill.TagDelivered}}}); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// TestTrackerItemsAreReturnable: a tracker's items are the order's
// returnable lines, found by the tracker's order number and the shopper's
// email or postal code, with their quantities; a non-returnable SKU stays
// out, and the returns of the order together never exceed a line.
func TestTrackerItemsAreReturnable(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		gift := []string{"GIFT-CARD"}
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{NonReturnable: &gift}); err != nil {
			t.Fatal(err)
		}
		e.tracker(e.org, "T-100", "4444444401", "", []map[string]any{
			{"sku": "SHIRT-M", "name": "Linen shirt", "quantity": float64(2)},
			{"sku": "GIFT-CARD", "name": "Gift card", "quantity": float64(1)},
		})
		for _, verify := range []string{"ann@example.com", "nw1 6xe"} {
			o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "T-100"}, verify)
			if err != nil {
				t.Fatalf("find by %s: %v", verify, err)
			}
			var got []string
			for _, it := range o.Items {
				got = append(got, it.ID+" "+it.Name+" "+it.SKU+" "+map[bool]string{true: "returnable", false: "kept"}[it.Returnable])
			}
			want := []string{"T-100/SHIRT-M Linen shirt SHIRT-M returnable", "T-100/GIFT-CARD Gift card GIFT-CARD kept"}
			if !slices.Equal(got, want) || !o.Open || o.Items[0].Ordered != 2 || o.Items[0].Available != 2 {
				t.Fatalf("items by %s: %v (open %v, %+v); want %v", verify, got, o.Open, o.Items, want)
			}
		}
		if _, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "T-100"}, "bob@example.com"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("wrong proof: %v", err)
		}
		if _, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org2.ID, OrderNumber: "T-100"}, "ann@example.com"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("another organization finds the tracker's order: %v", err)
		}

		_, err := e.submit(e.org, "T-100", map[string]int{"T-100/GIFT-CARD": 1})
		wantCode(t, err, waybill.EINVALID, waybill.ReasonNotReturnable)
		r := e.mustSubmit(e.org, "T-100", map[string]int{"T-100/SHIRT-M": 1})
		if len(r.Lines) != 1 || r.Lines[0].Name != "Linen shirt" || r.Lines[0].SKU != "SHIRT-M" || r.Lines[0].Quantity != 1 {
			t.Fatalf("return lines %+v", r.Lines)
		}
		_, err = e.submit(e.org, "T-100", map[string]int{"T-100/SHIRT-M": 2})
		wantCode(t, err, waybill.ECONFLICT, waybill.ReasonOverQuantity)
		e.mustSubmit(e.org, "T-100", map[string]int{"T-100/SHIRT-M": 1})
		if o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "T-100"}, "ann@example.com"); err != nil || o.Open || o.Closed != returns.ClosedNothing {
			t.Errorf("after both shirts: open %v, closed %q, %v", o.Open, o.Closed, err)
		}

		// A tracker without items is returned whole, as any shipment.
		v := e.tracker(e.org, "T-200", "4444444402", "", nil)
		o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "T-200"}, "ann@example.com")
		if err != nil || len(o.Items) != 1 || o.Items[0].ID != v.Tracking.ID || o.Items[0].Name != "Shipment 4444444402" {
			t.Errorf("tracker without items: %+v, %v", o.Items, err)
		}
	})
}
