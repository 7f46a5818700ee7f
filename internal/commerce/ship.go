package commerce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// ShipInput is a parcel of a purchase (Onport's ship call).
type ShipInput struct {
	TrackingNumber  string
	TrackingCompany string
	TrackingURL     string
	ServiceLevel    string
	Items           []ShipItemInput // none: every line of the purchase, in full
}

// ShipItemInput names a purchase line (by purchase item or sale item id)
// and how many of it the parcel holds (all of it when 0).
type ShipItemInput struct {
	PurchaseItemID int64
	SaleItemID     int64
	Quantity       int
}

// Validate trims the tracking number and reports every problem of the
// parcel that does not depend on the purchase.
func (in *ShipInput) Validate() error {
	var p problems
	checkClean(&p, in)
	in.TrackingNumber = strings.TrimSpace(in.TrackingNumber)
	if len(in.TrackingNumber) > 64 {
		p.add("trackingNumber is longer than 64 characters")
	}
	if len(in.TrackingCompany) > maxIDLen || len(in.TrackingURL) > 2048 || len(in.ServiceLevel) > maxIDLen {
		p.add("a field is over its length limit")
	}
	if len(in.Items) > maxLineItems {
		p.add("items has more than %d entries", maxLineItems)
	}
	for i, it := range in.Items {
		if it.PurchaseItemID == 0 && it.SaleItemID == 0 {
			p.add("items[%d] needs purchaseItemId or saleItemId", i)
		}
		if it.Quantity < 0 || it.Quantity > maxQuantity {
			p.add("items[%d].quantity must be between 0 and %d", i, maxQuantity)
		}
	}
	return p.err()
}

// Ship records a parcel of a purchase. With a tracking number, the parcel
// becomes a tracking (source "onport"; the courier from the tracking
// company, else detection), or is linked to the one already stored. The
// tracking, the dropshipment, the purchase's and sale's new status and the
// fulfillment event commit in one transaction, or none of them does.
// Shipping again with the same tracking number returns the same
// dropshipment, so a retry after a crash creates nothing twice. A number
// whose courier cannot be found still ships, with the reason in
// TrackingError. Ship joins the transaction ctx carries (store.InTx), else
// opens its own.
func (s *Service) Ship(ctx context.Context, orgID, purchaseID int64, in ShipInput) (waybill.Dropshipment, error) {
	if err := in.Validate(); err != nil {
		return waybill.Dropshipment{}, err
	}
	var d waybill.Dropshipment
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		purchase, err := tx.Purchase(ctx, orgID, purchaseID)
		if err != nil {
			return err
		}
		// Parcels of one sale take turns on the sale's row, so a tracking
		// number shipped twice at once makes one dropshipment, and
		// references count without gaps or repeats (store's "Row locks").
		sale, err := tx.SaleForUpdate(ctx, orgID, purchase.SaleID)
		if err != nil {
			return err
		}
		if purchase, err = tx.Purchase(ctx, orgID, purchaseID); err != nil {
			return err
		}
		if in.TrackingNumber != "" {
			prior, err := s.shippedAs(ctx, tx.Queries, purchase, in.TrackingNumber)
			if err != nil {
				return err
			}
			if prior.ID != 0 {
				d = prior
				return nil
			}
		}
		items, err := s.shipItems(ctx, tx.Queries, purchase, in)
		if err != nil {
			return err
		}
		d = waybill.Dropshipment{OrgID: orgID, SaleID: sale.ID, PurchaseID: purchase.ID, TrackingCompany: strings.TrimSpace(in.TrackingCompany),
			TrackingNumber: in.TrackingNumber, TrackingURL: in.TrackingURL, ServiceLevel: in.ServiceLevel}
		if in.TrackingNumber != "" && s.Trackings != nil {
			t, err := s.trackingFor(ctx, sale, d)
			switch code := waybill.ErrorCode(err); code {
			case "":
				d.TrackingID, d.Slug = t.ID, t.Slug
			case waybill.EINVALID:
				// Decided before the tracking core wrote anything: the
				// parcel ships without a tracking.
				d.TrackingError = waybill.ErrorMessage(err)
			default:
				return fmt.Errorf("tracking for purchase %d: %w", purchase.ID, err)
			}
		}
		now := s.now()
		n, err := tx.Dropshipments(ctx, orgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(purchase.ID)}}, store.Page{})
		if err != nil {
			return err
		}
		d.Reference = fmt.Sprintf("%s-%02d", purchase.Reference, len(n)+1)
		d.CreatedAt, d.UpdatedAt = now, now
		if err := tx.SaveDropshipment(ctx, &d); err != nil {
			return err
		}
		for i := range items {
			items[i].DropshipmentID, items[i].CreatedAt = d.ID, now
			if err := tx.InsertDropshipmentItem(ctx, &items[i]); err != nil {
				return err
			}
		}
		if err := s.markShipped(ctx, tx, &purchase, &sale, now); err != nil {
			return err
		}
		snap, err := s.shipmentSnapshot(ctx, tx.Queries, d)
		if err != nil {
			return err
		}
		e, err := s.event(orgID, waybill.EventFulfillment, snap)
		if err != nil {
			return err
		}
		return s.dispatch(ctx, tx, e)
	})
	if err != nil {
		return waybill.Dropshipment{}, err
	}
	return d, nil
}

// shippedAs returns the purchase's dropshipment with that tracking number,
// or a zero one.
func (s *Service) shippedAs(ctx context.Context, q *store.Queries, p waybill.Purchase, number string) (waybill.Dropshipment, error) {
	ds, err := q.Dropshipments(ctx, p.OrgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(p.ID)},
		{Column: "tracking_number", Values: []any{number}}}, store.Page{Limit: 1})
	if err != nil || len(ds) == 0 {
		return waybill.Dropshipment{}, err
	}
	return ds[0], nil
}

// shipItems resolves the parcel's lines against the purchase.
func (s *Service) shipItems(ctx context.Context, q *store.Queries, p waybill.Purchase, in ShipInput) ([]waybill.DropshipmentItem, error) {
	pitems, err := q.PurchaseItems(ctx, p.OrgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(p.ID)}}, store.Page{})
	if err != nil {
		return nil, err
	}
	var out []waybill.DropshipmentItem
	if len(in.Items) == 0 {
		for _, pi := range pitems {
			out = append(out, waybill.DropshipmentItem{OrgID: p.OrgID, SaleItemID: pi.SaleItemID, PurchaseItemID: pi.ID, Quantity: pi.Quantity})
		}
		if len(out) == 0 {
			return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "purchase %d has no lines to ship", p.ID)
		}
		return out, nil
	}
	var pr problems
	for i, it := range in.Items {
		var match *waybill.PurchaseItem
		for j := range pitems {
			if (it.PurchaseItemID != 0 && pitems[j].ID == it.PurchaseItemID) || (it.PurchaseItemID == 0 && pitems[j].SaleItemID == it.SaleItemID) {
				match = &pitems[j]
			}
		}
		if match == nil {
			pr.add("items[%d] is not a line of purchase %d", i, p.ID)
			continue
		}
		qty := it.Quantity
		if qty == 0 {
			qty = match.Quantity
		}
		if qty > match.Quantity {
			pr.add("items[%d].quantity %d is more than the %d ordered", i, qty, match.Quantity)
		}
		out = append(out, waybill.DropshipmentItem{OrgID: p.OrgID, SaleItemID: match.SaleItemID, PurchaseItemID: match.ID, Quantity: qty})
	}
	return out, pr.err()
}

// trackingFor finds or makes the parcel's tracking in the transaction ctx
// carries.
func (s *Service) trackingFor(ctx context.Context, sale waybill.Sale, d waybill.Dropshipment) (waybill.Tracking, error) {
	orderID, orderNumber := sale.ExternalID, sale.Reference
	name := sale.Shipping.FullName()
	in := tracking.CreateInput{TrackingNumber: d.TrackingNumber, Slug: CourierSlug(d.TrackingCompany), Source: "onport",
		Fields: tracking.Fields{OrderID: &orderID, OrderNumber: &orderNumber}}
	if name != "" {
		in.Fields.CustomerName = &name
	}
	emails, phones := []string{sale.Shipping.Email}, []string{sale.Shipping.Phone}
	if sale.CustomerID != 0 {
		c, err := s.Store.ReadIn(ctx).Customer(ctx, sale.OrgID, sale.CustomerID)
		if err != nil {
			return waybill.Tracking{}, fmt.Errorf("customer of sale %d: %w", sale.ID, err)
		}
		emails = append([]string{c.Email}, emails...)
	}
	// The sale's customer hears about the parcel, as a v4 tracking's emails
	// and smses do.
	if emails, phones = waybill.Recipients(emails, phones); len(emails) > 0 || len(phones) > 0 {
		in.Fields.Emails, in.Fields.Smses = &emails, &phones
	}
	t, _, err := s.Trackings.FindOrCreate(ctx, sale.OrgID, in)
	return t, err
}

// markShipped closes the purchase when every line is shipped in full, and
// completes the sale when every purchase is.
func (s *Service) markShipped(ctx context.Context, tx *store.Tx, p *waybill.Purchase, sale *waybill.Sale, now time.Time) error {
	pitems, err := tx.PurchaseItems(ctx, p.OrgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(p.ID)}}, store.Page{})
	if err != nil {
		return err
	}
	ds, err := tx.Dropshipments(ctx, p.OrgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(p.ID)}}, store.Page{})
	if err != nil {
		return err
	}
	dids := make([]int64, len(ds))
	for i, d := range ds {
		dids[i] = d.ID
	}
	ditems, err := tx.DropshipmentItems(ctx, p.OrgID, []store.Cond{{Column: "dropshipment_id", Values: store.IDs(dids...)}}, store.Page{})
	if err != nil {
		return err
	}
	shipped := map[int64]int{}
	for _, di := range ditems {
		shipped[di.PurchaseItemID] += di.Quantity
	}
	for _, pi := range pitems {
		if shipped[pi.ID] < pi.Quantity {
			return nil
		}
	}
	p.Status, p.UpdatedAt = waybill.PurchaseStatusShipped, now
	if err := tx.SavePurchase(ctx, p); err != nil {
		return err
	}
	all, err := tx.Purchases(ctx, p.OrgID, []store.Cond{{Column: "sale_id", Values: store.IDs(sale.ID)}}, store.Page{})
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.Status != waybill.PurchaseStatusShipped {
			return nil
		}
	}
	// Reload: the sale may have been updated since Ship first read it.
	fresh, err := tx.Sale(ctx, sale.OrgID, sale.ID)
	if err != nil {
		return err
	}
	*sale = fresh
	sale.Status, sale.UpdatedAt = waybill.SaleStatusCompleted, now
	return tx.SaveSale(ctx, sale)
}

// shipmentSnapshot gathers what the fulfillment webhook bundles: the
// dropshipment with its purchase and vendor, its items with their sale
// items, and the sale with its channel and customer.
func (s *Service) shipmentSnapshot(ctx context.Context, q *store.Queries, d waybill.Dropshipment) (waybill.CommerceSnapshot, error) {
	snap := waybill.CommerceSnapshot{Dropshipment: &d}
	org := d.OrgID
	p, err := q.Purchase(ctx, org, d.PurchaseID)
	if err != nil {
		return snap, err
	}
	snap.Purchases = []waybill.Purchase{p}
	if snap.Providers, err = q.Providers(ctx, org, []store.Cond{{Column: "id", Values: store.IDs(p.DropshipProviderID)}}, store.Page{}); err != nil {
		return snap, err
	}
	if snap.DropshipmentItems, err = q.DropshipmentItems(ctx, org, []store.Cond{{Column: "dropshipment_id", Values: store.IDs(d.ID)}}, store.Page{}); err != nil {
		return snap, err
	}
	var sids, pids []int64
	for _, di := range snap.DropshipmentItems {
		sids, pids = append(sids, di.SaleItemID), append(pids, di.PurchaseItemID)
	}
	if snap.SaleItems, err = q.SaleItems(ctx, org, []store.Cond{{Column: "id", Values: store.IDs(sids...)}}, store.Page{}); err != nil {
		return snap, err
	}
	if snap.PurchaseItems, err = q.PurchaseItems(ctx, org, []store.Cond{{Column: "id", Values: store.IDs(pids...)}}, store.Page{}); err != nil {
		return snap, err
	}
	sale, err := q.Sale(ctx, org, d.SaleID)
	if err != nil {
		return snap, err
	}
	snap.Sale = &sale
	ch, err := q.Channel(ctx, org, sale.ChannelID)
	if err != nil {
		return snap, err
	}
	snap.Channel = &ch
	if sale.CustomerID != 0 {
		c, err := q.Customer(ctx, org, sale.CustomerID)
		if err != nil {
			return snap, err
		}
		snap.Customer = &c
	}
	return snap, nil
}

// AcknowledgeDropshipment records that the channel has taken the
// dropshipment in, and announces it (dropshipment.acknowledged) the first
// time; acknowledging again changes nothing.
func (s *Service) AcknowledgeDropshipment(ctx context.Context, orgID, id int64) (waybill.Dropshipment, error) {
	var d waybill.Dropshipment
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.Dropshipment(ctx, orgID, id); err != nil {
			return err
		}
		// Under the sale's lock, so that concurrent acknowledgements
		// announce it once.
		if _, err := tx.SaleForUpdate(ctx, orgID, d.SaleID); err != nil {
			return err
		}
		if d, err = tx.Dropshipment(ctx, orgID, id); err != nil || !d.AcknowledgedAt.IsZero() {
			return err
		}
		now := s.now()
		d.AcknowledgedAt, d.UpdatedAt = now, now
		if err := tx.SaveDropshipment(ctx, &d); err != nil {
			return err
		}
		snap, err := s.shipmentSnapshot(ctx, tx.Queries, d)
		if err != nil {
			return err
		}
		e, err := s.event(orgID, waybill.EventDropshipmentAcknowledged, snap)
		if err != nil {
			return err
		}
		return s.dispatch(ctx, tx, e)
	})
	return d, err
}
