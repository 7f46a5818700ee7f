package returns

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/store"
)

// OrderRef names the order a shopper wants to return from: a tracking's
// page token (from the shipment's page), or an order number in one
// organization (from the returns lookup).
type OrderRef struct {
	Token       string
	OrgID       int64
	OrderNumber string
}

// Order is what a shopper who proved an order may return from it.
type Order struct {
	OrgID    int64
	OrgName  string // the branding's display name, else the organization's name
	Branding waybill.Branding
	Number   string // the order number shoppers know
	// Items are the order's lines: the Onport sale's; else, per shipment,
	// the items of the tracker it is (Tracker API), or the shipment whole.
	Items []Item
	// Open is whether a return may start now; when it may not, Closed
	// says why (ClosedWindow, ClosedNotDelivered, ClosedDisabled,
	// ClosedNothing).
	Open   bool
	Closed string
	// Delivered is when the order was delivered (its latest delivery);
	// zero while it is not.
	Delivered time.Time
	// Deadline is the last moment of the window, when delivered.
	Deadline time.Time
	Settings waybill.ReturnSettings
	// Returns are the order's earlier returns.
	Returns []waybill.Return

	key, id, trackingID, email string
	saleID                     int64
}

// Why a return cannot start.
const (
	ClosedWindow       = "window_passed"
	ClosedNotDelivered = "not_delivered"
	ClosedDisabled     = "disabled"
	ClosedNothing      = "nothing_returnable"
)

// Item is one line of an order as the returns portal shows it.
type Item struct {
	ID         string
	SaleItemID int64
	Name       string
	SKU        string
	Ordered    int
	// Available is how many may still be returned: ordered minus what the
	// order's other returns claim.
	Available  int
	Returnable bool // false for the organization's non-returnable items
}

// lookupLimits bound what a lookup reads; anything longer matches nothing.
const (
	maxOrderLen  = 100
	maxVerifyLen = 200
)

// notFoundOrder is the one answer when the order or the proof does not
// match, so a visitor learns nothing about which half was wrong.
func notFoundOrder() error {
	return waybill.Errorf(waybill.ENOTFOUND, "No order matches these details.")
}

// FindOrder returns what the shopper may return from the order ref names,
// when verify (an email, phone number or postal code given on the order)
// proves it; ENOTFOUND otherwise.
func (s *Service) FindOrder(ctx context.Context, ref OrderRef, verify string) (Order, error) {
	return s.findOrder(ctx, s.Store.Read(), ref, verify)
}

func (s *Service) findOrder(ctx context.Context, q *store.Queries, ref OrderRef, verify string) (Order, error) {
	verify = strings.TrimSpace(verify)
	ref.OrderNumber = strings.TrimSpace(ref.OrderNumber)
	if verify == "" || len(verify) > maxVerifyLen || !waybill.CleanLine(verify, maxVerifyLen) {
		return Order{}, notFoundOrder()
	}
	var pt store.PageTrackings
	var err error
	orderID := ""
	switch {
	case ref.Token != "":
		if len(ref.Token) > 64 || !validID(ref.Token) {
			return Order{}, notFoundOrder()
		}
		if pt, err = q.TrackingPage(ctx, ref.Token, true); err != nil {
			return Order{}, err
		}
		if len(pt.Trackings) == 0 {
			return Order{}, notFoundOrder()
		}
		first := pt.Trackings[0]
		orderID = cmpOr(first.OrderID, first.OrderNumber)
		if orderID != "" && first.OrderID == "" {
			// An order known only by its number: its siblings too.
			if pt, err = q.OrderTrackings(ctx, first.OrgID, orderID); err != nil {
				return Order{}, err
			}
		}
		ref.OrgID = first.OrgID
	case ref.OrderNumber != "" && len(ref.OrderNumber) <= maxOrderLen && waybill.CleanLine(ref.OrderNumber, maxOrderLen):
		if pt, err = q.OrderTrackings(ctx, ref.OrgID, ref.OrderNumber); err != nil {
			return Order{}, err
		}
		orderID = ref.OrderNumber
		if len(pt.Trackings) > 0 && pt.Trackings[0].OrderID != "" {
			orderID = pt.Trackings[0].OrderID
		}
	default:
		return Order{}, notFoundOrder()
	}
	var outbound []waybill.Tracking
	for _, t := range pt.Trackings {
		if t.ShipmentDirection != "return" {
			outbound = append(outbound, t)
		}
	}
	var sale *waybill.Sale
	var saleItems []waybill.SaleItem
	if orderID != "" {
		sl, items, err := q.OrderSale(ctx, ref.OrgID, orderID)
		switch waybill.ErrorCode(err) {
		case "":
			sale, saleItems = &sl, items
		case waybill.ENOTFOUND:
		default:
			return Order{}, err
		}
	}
	if len(outbound) == 0 && sale == nil {
		return Order{}, notFoundOrder()
	}
	if !portal.ProvesOrder(verify, outbound, sale) {
		return Order{}, notFoundOrder()
	}

	o := Order{OrgID: ref.OrgID, Branding: pt.Branding, OrgName: pt.OrgName}
	if len(pt.Trackings) == 0 {
		if o.Branding, err = q.Branding(ctx, ref.OrgID); err != nil {
			return Order{}, err
		}
		org, err := q.OrgByID(ctx, ref.OrgID)
		if err != nil {
			return Order{}, err
		}
		o.OrgName = org.Name
	}
	o.OrgName = cmpOr(o.Branding.DisplayName, o.OrgName)
	if ref.Token != "" {
		o.trackingID = pt.Trackings[0].ID
	}
	o.email = shopperEmail(verify, outbound, sale)
	switch {
	case sale != nil:
		o.key, o.id, o.saleID = "sale:"+strconv.FormatInt(sale.ID, 10), sale.ExternalID, sale.ID
		o.Number = cmpOr(sale.Reference, sale.ExternalID)
	case outbound[0].OrderID != "":
		o.key, o.id = "order:"+outbound[0].OrderID, outbound[0].OrderID
	case outbound[0].OrderNumber != "":
		o.key = "number:" + outbound[0].OrderNumber
	default:
		o.key = "tracking:" + outbound[0].ID
	}
	for _, t := range outbound {
		if t.OrderNumber != "" {
			o.Number = t.OrderNumber
			break
		}
	}
	if o.Number == "" {
		o.Number = cmpOr(o.id, ref.OrderNumber)
	}

	if o.Settings, err = settings(ctx, q, o.OrgID); err != nil {
		return Order{}, err
	}
	claimed, err := q.ClaimedReturnQuantities(ctx, o.OrgID, o.key)
	if err != nil {
		return Order{}, err
	}
	if o.Returns, err = q.OrderReturns(ctx, o.OrgID, o.key); err != nil {
		return Order{}, err
	}
	if len(saleItems) > 0 {
		for _, it := range saleItems {
			item := Item{ID: cmpOr(it.ExternalID, "item-"+strconv.FormatInt(it.ID, 10)), SaleItemID: it.ID, Name: it.Name, Ordered: it.Quantity}
			if it.VariantID != 0 {
				if v, err := q.Variant(ctx, o.OrgID, it.VariantID); err == nil {
					item.SKU = v.SKU
				} else if waybill.ErrorCode(err) != waybill.ENOTFOUND {
					return Order{}, err
				}
			}
			o.Items = append(o.Items, item)
		}
	} else {
		// No sale: a tracker's items, else each shipment returned whole.
		for _, t := range outbound {
			items, err := shipmentItems(ctx, q, t)
			if err != nil {
				return Order{}, err
			}
			o.Items = append(o.Items, items...)
		}
	}
	anyAvailable := false
	for i := range o.Items {
		it := &o.Items[i]
		it.Available = max(it.Ordered-claimed[it.ID], 0)
		it.Returnable = o.Settings.Returnable(it.SKU, it.Name)
		anyAvailable = anyAvailable || (it.Returnable && it.Available > 0)
	}
	o.Delivered = deliveredAt(outbound)
	now := s.now()
	switch {
	case !o.Settings.Enabled:
		o.Closed = ClosedDisabled
	case o.Delivered.IsZero() && !o.Settings.BeforeDelivery:
		o.Closed = ClosedNotDelivered
	case !o.Delivered.IsZero() && now.After(o.Delivered.Add(time.Duration(o.Settings.WindowDays)*24*time.Hour)):
		o.Closed = ClosedWindow
	case !anyAvailable:
		o.Closed = ClosedNothing
	}
	if !o.Delivered.IsZero() {
		o.Deadline = o.Delivered.Add(time.Duration(o.Settings.WindowDays) * 24 * time.Hour)
	}
	o.Open = o.Closed == ""
	return o, nil
}

// deliveredAt is when the order counts as delivered: the latest delivery
// of its shipments, once every one of them is delivered; zero before.
func deliveredAt(ts []waybill.Tracking) time.Time {
	var latest time.Time
	for _, t := range ts {
		if t.Tag != waybill.TagDelivered {
			return time.Time{}
		}
		at := t.UpdatedAt
		for _, c := range t.Checkpoints {
			if c.Tag != waybill.TagDelivered {
				continue
			}
			if ct, err := time.Parse(time.RFC3339Nano, c.CheckpointTime); err == nil {
				at = ct.UTC()
			} else if !c.CreatedAt.IsZero() {
				at = c.CreatedAt
			}
		}
		if at.After(latest) {
			latest = at
		}
	}
	return latest
}

// shopperEmail is where the return's emails go: the email the shopper
// proved the order with, else the sale's, else the first tracking's.
func shopperEmail(verify string, ts []waybill.Tracking, sale *waybill.Sale) string {
	if strings.Contains(verify, "@") {
		return strings.ToLower(verify)
	}
	if sale != nil {
		for _, e := range []string{sale.Shipping.Email, sale.Billing.Email} {
			if e != "" {
				return e
			}
		}
	}
	for _, t := range ts {
		if len(t.Emails) > 0 {
			return t.Emails[0]
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WithNumber is ref with the order number a lookup form gave, unless ref
// names its order by a page token.
func (ref OrderRef) WithNumber(number string) OrderRef {
	if ref.Token == "" {
		ref.OrderNumber = number
	}
	return ref
}
