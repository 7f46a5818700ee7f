package commerce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// upsertSale creates the channel's sale with in's external id, or updates
// it: sale fields and customer are replaced, lines are matched by external
// id (new ones added, known ones updated, none removed). When every line is
// routed to a vendor, the sale is dropshipped: one purchase per vendor, and
// a sale.dropship event the first time.
func (s *Service) upsertSale(ctx context.Context, tx *store.Tx, ch waybill.Channel, in *ManualSale) (*waybill.InboundResult, error) {
	now := s.now()
	res := &waybill.InboundResult{}
	sale, created, err := s.claimSale(ctx, tx, ch, in.ExternalID, now)
	if err != nil {
		return nil, err
	}
	res.Created = created

	// The customer: the organization's customer with that email, or a new one.
	cust := waybill.Customer{OrgID: ch.OrgID, CreatedAt: now}
	email := strings.ToLower(strings.TrimSpace(in.Customer.Email))
	if sale.CustomerID != 0 {
		if cust, err = tx.Customer(ctx, ch.OrgID, sale.CustomerID); err != nil {
			return nil, err
		}
	}
	if email != "" && !strings.EqualFold(cust.Email, email) {
		found, err := tx.Customers(ctx, ch.OrgID, []store.Cond{{Column: "email", Values: []any{email}}}, store.Page{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			cust = found[0]
		} else {
			cust = waybill.Customer{OrgID: ch.OrgID, CreatedAt: now}
		}
	}
	if email != "" {
		cust.Email = email
	}
	if in.Customer.FirstName != "" || cust.ID == 0 {
		cust.FirstName = strings.TrimSpace(in.Customer.FirstName)
	}
	if in.Customer.LastName != "" || cust.ID == 0 {
		cust.LastName = strings.TrimSpace(in.Customer.LastName)
	}
	cust.UpdatedAt = now
	if err := tx.SaveCustomer(ctx, &cust); err != nil {
		return nil, err
	}
	res.CustomerID = cust.ID

	in.fillSale(&sale, cust.ID, now)
	if err := tx.SaveSale(ctx, &sale); err != nil {
		return nil, err
	}
	res.SaleID = sale.ID

	// Lines, matched by external id.
	var existing []waybill.SaleItem
	if !res.Created {
		if existing, err = tx.SaleItems(ctx, ch.OrgID, []store.Cond{{Column: "sale_id", Values: store.IDs(sale.ID)}}, store.Page{}); err != nil {
			return nil, err
		}
	}
	byExt := map[string]int{}
	for i, it := range existing {
		byExt[it.ExternalID] = i
	}
	items := existing
	providers := map[string]int64{} // vendor external id -> provider, within this sale
	for _, li := range in.LineItems {
		var it waybill.SaleItem
		i, known := byExt[li.ExternalID]
		if known {
			it = items[i]
		} else {
			it = waybill.SaleItem{OrgID: ch.OrgID, SaleID: sale.ID, ExternalID: li.ExternalID, CreatedAt: now}
		}
		it.Name = strings.TrimSpace(li.Name)
		it.Quantity = *li.Quantity
		it.Price = *li.Price
		it.Taxable = li.Taxable
		it.VariantExternalID = li.VariantExternalID
		it.Properties = it.Properties[:0]
		for _, p := range li.Properties {
			it.Properties = append(it.Properties, waybill.Property{Key: p.Key, Value: p.Value})
		}
		if err := s.route(ctx, tx, ch, &it, li, providers, now); err != nil {
			return nil, err
		}
		it.UpdatedAt = now
		if err := tx.SaveSaleItem(ctx, &it); err != nil {
			return nil, err
		}
		if known {
			items[i] = it
		} else {
			items = append(items, it)
		}
		res.SaleItemIDs = append(res.SaleItemIDs, it.ID)
	}
	sale.Subtotal, sale.Quantity = 0, 0
	for _, it := range items {
		sale.Subtotal += float64(it.Quantity) * it.Price
		sale.Quantity += it.Quantity
	}
	sale.Total = sale.Subtotal + sale.ShippingTotal

	purchases, err := s.dropship(ctx, tx, saleContext{sale: &sale, channel: ch, customer: cust, created: res.Created}, items, now)
	if err != nil {
		return nil, err
	}
	for _, p := range purchases {
		res.PurchaseIDs = append(res.PurchaseIDs, p.ID)
	}
	if err := tx.SaveSale(ctx, &sale); err != nil {
		return nil, err
	}
	return res, nil
}

// claimSale returns the channel's sale with that external id, locked until
// tx ends, creating it (created true) when there is none. Identical
// concurrent writes of one sale thus take turns: the first creates it, the
// others wait for its commit and update it, as if they ran one by one
// (before, a race for the insert answered "already exists").
func (s *Service) claimSale(ctx context.Context, tx *store.Tx, ch waybill.Channel, externalID string, now time.Time) (waybill.Sale, bool, error) {
	sale, err := tx.SaleByExternalIDForUpdate(ctx, ch.OrgID, ch.ID, externalID)
	if waybill.ErrorCode(err) != waybill.ENOTFOUND {
		return sale, false, err
	}
	sale = waybill.Sale{OrgID: ch.OrgID, ChannelID: ch.ID, ExternalID: externalID, Status: waybill.SaleStatusPending,
		CreatedAt: now, DateOrdered: now, UpdatedAt: now}
	// The insert waits for a concurrent insert of the same sale to end
	// (ON CONFLICT DO NOTHING); ECONFLICT means that one committed it.
	err = tx.SaveSale(ctx, &sale)
	if waybill.ErrorCode(err) != waybill.ECONFLICT {
		return sale, err == nil, err
	}
	sale, err = tx.SaleByExternalIDForUpdate(ctx, ch.OrgID, ch.ID, externalID)
	return sale, false, err
}

// route sets the line's vendor: the line's vendor property, else the first
// connected vendor SKU of its variant, else none (the line waits).
// providers memoizes the vendors already resolved for this sale.
func (s *Service) route(ctx context.Context, tx *store.Tx, ch waybill.Channel, it *waybill.SaleItem, li LineItem,
	providers map[string]int64, now time.Time) error {
	if v := li.Vendor(); v != "" {
		if id, ok := providers[v]; ok {
			it.DropshipProviderID = id
			return nil
		}
		p, err := tx.EnsureProvider(ctx, ch.OrgID, v, "", now)
		if err != nil {
			return err
		}
		it.DropshipProviderID, providers[v] = p.ID, p.ID
		return nil
	}
	if it.VariantExternalID == "" {
		return nil
	}
	vs, err := tx.Variants(ctx, ch.OrgID, []store.Cond{{Column: "channel_id", Values: store.IDs(ch.ID)},
		{Column: "external_id", Values: []any{it.VariantExternalID}}}, store.Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	it.VariantID = vs[0].ID
	for _, vsku := range vs[0].VendorSKUs {
		if vsku.State != waybill.VendorSKUDisconnected && vsku.DropshipProviderID != 0 {
			it.DropshipProviderID = vsku.DropshipProviderID
			return nil
		}
	}
	return nil
}

// dropship makes one purchase per vendor once every line of the sale is
// routed, keeps purchase lines in step with sale lines, and announces the
// sale (sale.dropship) the first time. It returns the sale's purchases.
// saleContext is a sale being written with what upsertSale already holds
// of it, so that dropship need not read it back.
type saleContext struct {
	sale     *waybill.Sale
	channel  waybill.Channel
	customer waybill.Customer
	created  bool // new in this transaction: it has no purchases yet
}

func (s *Service) dropship(ctx context.Context, tx *store.Tx, sc saleContext, items []waybill.SaleItem, now time.Time) ([]waybill.Purchase, error) {
	sale := sc.sale
	for _, it := range items {
		if it.DropshipProviderID == 0 {
			return nil, nil // not complete yet: Onport announces a sale only once it is routed
		}
	}
	var purchases []waybill.Purchase
	var pitems []waybill.PurchaseItem
	if !sc.created {
		var err error
		if purchases, err = tx.Purchases(ctx, sale.OrgID, []store.Cond{{Column: "sale_id", Values: store.IDs(sale.ID)}}, store.Page{}); err != nil {
			return nil, err
		}
		var pids []int64
		for _, p := range purchases {
			pids = append(pids, p.ID)
		}
		if len(pids) > 0 {
			if pitems, err = tx.PurchaseItems(ctx, sale.OrgID, []store.Cond{{Column: "purchase_id", Values: store.IDs(pids...)}}, store.Page{}); err != nil {
				return nil, err
			}
		}
	}
	byProvider := map[int64]*waybill.Purchase{}
	for i := range purchases {
		byProvider[purchases[i].DropshipProviderID] = &purchases[i]
	}
	bySaleItem := map[int64]*waybill.PurchaseItem{}
	for i := range pitems {
		bySaleItem[pitems[i].SaleItemID] = &pitems[i]
	}
	for _, it := range items {
		p := byProvider[it.DropshipProviderID]
		if p == nil {
			purchases = append(purchases, waybill.Purchase{OrgID: sale.OrgID, SaleID: sale.ID, DropshipProviderID: it.DropshipProviderID,
				Reference: fmt.Sprintf("%s-%02d", sale.Reference, len(purchases)+1), Status: waybill.PurchaseStatusOpen,
				CreatedAt: now, UpdatedAt: now})
			p = &purchases[len(purchases)-1]
			if err := tx.SavePurchase(ctx, p); err != nil {
				return nil, err
			}
			// purchases may have been reallocated: rebuild the index.
			for i := range purchases {
				byProvider[purchases[i].DropshipProviderID] = &purchases[i]
			}
		}
		pi := bySaleItem[it.ID]
		switch {
		case pi == nil:
			npi := waybill.PurchaseItem{OrgID: sale.OrgID, PurchaseID: p.ID, SaleItemID: it.ID, Quantity: it.Quantity, CreatedAt: now}
			if err := tx.SavePurchaseItem(ctx, &npi); err != nil {
				return nil, err
			}
		case pi.Quantity != it.Quantity && pi.PurchaseID == p.ID:
			pi.Quantity = it.Quantity
			if err := tx.SavePurchaseItem(ctx, pi); err != nil {
				return nil, err
			}
		}
	}
	if sale.Status == waybill.SaleStatusPending {
		sale.Status = waybill.SaleStatusDropship
	}
	if sale.DropshippedAt.IsZero() {
		sale.DropshippedAt = now
		snap := saleSnapshot(sc, items, purchases)
		e, err := s.event(sale.OrgID, waybill.EventSaleDropship, snap)
		if err != nil {
			return nil, err
		}
		if err := s.dispatch(ctx, tx, e); err != nil {
			return nil, err
		}
	}
	return purchases, nil
}

// saleSnapshot is what sale.dropship carries: the sale with its lines,
// purchases, channel and customer.
func saleSnapshot(sc saleContext, items []waybill.SaleItem, purchases []waybill.Purchase) waybill.CommerceSnapshot {
	sale, ch := *sc.sale, sc.channel
	snap := waybill.CommerceSnapshot{Sale: &sale, SaleItems: items, Purchases: purchases, Channel: &ch}
	if sale.CustomerID != 0 {
		c := sc.customer
		snap.Customer = &c
	}
	return snap
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// fillSale sets on sale what a manual sale message says of it: its
// customer, reference (kept when the message has none), notes, tags, date
// ordered, addresses and shipping lines with their total, and the time of
// the change. Apply and the runs of UpsertSales share it, so that a sale
// comes out the same either way.
func (in *ManualSale) fillSale(sale *waybill.Sale, customerID int64, now time.Time) {
	d := in.SaleDefaults
	sale.CustomerID = customerID
	sale.Reference = firstNonEmpty(d.Reference, sale.Reference, in.ExternalID)
	sale.Notes = d.Notes
	sale.Tags = d.Tags
	if t, err := time.Parse(time.RFC3339, d.DateOrdered); err == nil {
		sale.DateOrdered = t.UTC()
	}
	sale.Billing = waybill.Address{FirstName: d.BillingFirstName, LastName: d.BillingLastName, Name: d.BillingName,
		AddressLine1: d.BillingAddressLineOne, AddressLine2: d.BillingAddressLineTwo, City: d.BillingCity, State: d.BillingState,
		Country: d.BillingCountry, Zip: d.BillingZip, Phone: d.BillingPhone, Email: d.BillingEmail}
	sale.Shipping = waybill.Address{FirstName: d.ShippingFirstName, LastName: d.ShippingLastName, Name: d.ShippingName,
		AddressLine1: d.ShippingAddressLineOne, AddressLine2: d.ShippingAddressLineTwo, City: d.ShippingCity, State: d.ShippingState,
		Country: d.ShippingCountry, Zip: d.ShippingZip, Phone: d.ShippingPhone, Email: d.ShippingEmail}
	sale.ShippingLines = sale.ShippingLines[:0]
	sale.ShippingTotal = 0
	for _, sl := range in.Shipping {
		price := 0.0
		if sl.Price != nil {
			price = *sl.Price
		}
		sale.ShippingLines = append(sale.ShippingLines, waybill.ShippingLine{Code: sl.Code, Name: sl.Name, ServiceLevel: sl.ServiceLevel, Price: price})
		sale.ShippingTotal += price
	}
	sale.UpdatedAt = now
}
