package commerce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// NewSaleCandidate reports whether w is a manual sale that CreateSales can
// take, and returns its external id: every line is routed by its vendor
// property or not at all (a line routed by its variant needs a lookup of
// its own). Call it on a validated write.
func NewSaleCandidate(w Write) (string, bool) {
	in, ok := w.(*ManualSale)
	if !ok || in == nil || in.ExternalID == "" {
		return "", false
	}
	for _, li := range in.LineItems {
		if li.Vendor() == "" && li.VariantExternalID != "" {
			return "", false
		}
	}
	return in.ExternalID, true
}

// ExistingSales returns which of externalIDs the channel already has a
// sale for.
func (s *Service) ExistingSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, externalIDs []string) (map[string]bool, error) {
	return tx.ExistingSales(ctx, ch.OrgID, ch.ID, externalIDs)
}

// draftCustomer is a customer as CreateSales leaves it.
type draftCustomer struct {
	c     waybill.Customer
	isNew bool // inserted by this batch
}

// saleDraft is one sale of CreateSales, built in memory before the batch's
// ids are known.
type saleDraft struct {
	sale      waybill.Sale
	cust      *draftCustomer
	custAt    waybill.Customer // the customer as this sale left it (its event shows it)
	items     []waybill.SaleItem
	purchases []waybill.Purchase
	pitems    []waybill.PurchaseItem
	pitemOf   []int // index in items of each purchase item's sale item
	pitemTo   []int // index in purchases of each purchase item's purchase
}

// CreateSales creates new sales, in order, with the effects Apply would
// have for each of them one after another: the same customers (found by
// email, or new), lines, vendors, purchases, purchase lines, sale.dropship
// events and results. Each input must be validated, a NewSaleCandidate,
// with an external id that the channel has no sale for (ExistingSales) and
// that no other input carries. It writes each table with one statement, so
// that a batch costs a handful of round trips rather than about twenty per
// sale. It gives ECONFLICT when a sale appeared meanwhile (a concurrent
// writer's); the caller's savepoint must then undo it all, and the inputs
// go through Apply one by one.
func (s *Service) CreateSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, ins []*ManualSale) ([]*waybill.InboundResult, error) {
	if len(ins) == 0 {
		return nil, nil
	}
	now := s.now()
	var emails, vendors []string
	seenEmail, seenVendor := map[string]bool{}, map[string]bool{}
	for _, in := range ins {
		if _, ok := NewSaleCandidate(in); !ok {
			return nil, fmt.Errorf("create sales: sale %q cannot be created in a batch", in.ExternalID)
		}
		if e := strings.ToLower(strings.TrimSpace(in.Customer.Email)); e != "" && !seenEmail[e] {
			seenEmail[e] = true
			emails = append(emails, e)
		}
		for _, li := range in.LineItems {
			if v := li.Vendor(); v != "" && !seenVendor[v] {
				seenVendor[v] = true
				vendors = append(vendors, v)
			}
		}
	}
	found, err := tx.CustomersByEmail(ctx, ch.OrgID, emails)
	if err != nil {
		return nil, err
	}
	byEmail := map[string]*draftCustomer{}
	for e, c := range found {
		byEmail[e] = &draftCustomer{c: c}
	}
	providers, err := tx.ProvidersByExternalID(ctx, ch.OrgID, vendors)
	if err != nil {
		return nil, err
	}
	for _, v := range vendors {
		if _, ok := providers[v]; ok {
			continue
		}
		p, err := tx.EnsureProvider(ctx, ch.OrgID, v, "", now)
		if err != nil {
			return nil, err
		}
		providers[v] = p
	}

	// Build every sale in memory, in order, as upsertSale would.
	drafts := make([]saleDraft, len(ins))
	var touched []*draftCustomer // customers to write, in first-use order
	isTouched := map[*draftCustomer]bool{}
	counts := map[string]int{}
	for i, in := range ins {
		d := &drafts[i]
		email := strings.ToLower(strings.TrimSpace(in.Customer.Email))
		created := false
		if email != "" {
			d.cust = byEmail[email]
		}
		if d.cust == nil {
			d.cust = &draftCustomer{c: waybill.Customer{OrgID: ch.OrgID, CreatedAt: now}, isNew: true}
			created = true
			counts["customers"]++
			if email != "" {
				byEmail[email] = d.cust
			}
		}
		if !isTouched[d.cust] {
			isTouched[d.cust] = true
			touched = append(touched, d.cust)
		}
		cust := &d.cust.c
		if email != "" {
			cust.Email = email
		}
		if in.Customer.FirstName != "" || created {
			cust.FirstName = strings.TrimSpace(in.Customer.FirstName)
		}
		if in.Customer.LastName != "" || created {
			cust.LastName = strings.TrimSpace(in.Customer.LastName)
		}
		cust.UpdatedAt = now
		d.custAt = *cust

		sd := in.SaleDefaults
		sale := waybill.Sale{OrgID: ch.OrgID, ChannelID: ch.ID, ExternalID: in.ExternalID, Status: waybill.SaleStatusPending,
			CreatedAt: now, DateOrdered: now, UpdatedAt: now}
		sale.Reference = firstNonEmpty(sd.Reference, in.ExternalID)
		sale.Notes = sd.Notes
		sale.Tags = sd.Tags
		if t, err := time.Parse(time.RFC3339, sd.DateOrdered); err == nil {
			sale.DateOrdered = t.UTC()
		}
		sale.Billing = waybill.Address{FirstName: sd.BillingFirstName, LastName: sd.BillingLastName, Name: sd.BillingName,
			AddressLine1: sd.BillingAddressLineOne, AddressLine2: sd.BillingAddressLineTwo, City: sd.BillingCity, State: sd.BillingState,
			Country: sd.BillingCountry, Zip: sd.BillingZip, Phone: sd.BillingPhone, Email: sd.BillingEmail}
		sale.Shipping = waybill.Address{FirstName: sd.ShippingFirstName, LastName: sd.ShippingLastName, Name: sd.ShippingName,
			AddressLine1: sd.ShippingAddressLineOne, AddressLine2: sd.ShippingAddressLineTwo, City: sd.ShippingCity, State: sd.ShippingState,
			Country: sd.ShippingCountry, Zip: sd.ShippingZip, Phone: sd.ShippingPhone, Email: sd.ShippingEmail}
		for _, sl := range in.Shipping {
			price := 0.0
			if sl.Price != nil {
				price = *sl.Price
			}
			sale.ShippingLines = append(sale.ShippingLines, waybill.ShippingLine{Code: sl.Code, Name: sl.Name, ServiceLevel: sl.ServiceLevel, Price: price})
			sale.ShippingTotal += price
		}

		routed := true
		for _, li := range in.LineItems {
			it := waybill.SaleItem{OrgID: ch.OrgID, ExternalID: li.ExternalID, CreatedAt: now, UpdatedAt: now,
				Name: strings.TrimSpace(li.Name), Quantity: *li.Quantity, Price: *li.Price, Taxable: li.Taxable,
				VariantExternalID: li.VariantExternalID}
			for _, p := range li.Properties {
				it.Properties = append(it.Properties, waybill.Property{Key: p.Key, Value: p.Value})
			}
			if v := li.Vendor(); v != "" {
				it.DropshipProviderID = providers[v].ID
			} else {
				routed = false
			}
			d.items = append(d.items, it)
			sale.Subtotal += float64(it.Quantity) * it.Price
			sale.Quantity += it.Quantity
		}
		sale.Total = sale.Subtotal + sale.ShippingTotal
		counts["sale_items"] += len(d.items)

		if routed {
			byProvider := map[int64]int{}
			for j, it := range d.items {
				k, ok := byProvider[it.DropshipProviderID]
				if !ok {
					k = len(d.purchases)
					byProvider[it.DropshipProviderID] = k
					d.purchases = append(d.purchases, waybill.Purchase{OrgID: ch.OrgID, DropshipProviderID: it.DropshipProviderID,
						Reference: fmt.Sprintf("%s-%02d", sale.Reference, k+1), Status: waybill.PurchaseStatusOpen, CreatedAt: now, UpdatedAt: now})
				}
				d.pitems = append(d.pitems, waybill.PurchaseItem{OrgID: ch.OrgID, Quantity: it.Quantity, CreatedAt: now})
				d.pitemOf = append(d.pitemOf, j)
				d.pitemTo = append(d.pitemTo, k)
			}
			sale.Status = waybill.SaleStatusDropship
			sale.DropshippedAt = now
			counts["purchases"] += len(d.purchases)
			counts["purchase_items"] += len(d.pitems)
		}
		d.sale = sale
	}
	counts["sales"] = len(ins)

	ids, err := tx.AllocateIDs(ctx, counts)
	if err != nil {
		return nil, err
	}
	take := func(table string) int64 {
		id := ids[table][0]
		ids[table] = ids[table][1:]
		return id
	}
	var newCustomers []waybill.Customer
	for _, c := range touched {
		if c.isNew {
			c.c.ID = take("customers")
			newCustomers = append(newCustomers, c.c)
		}
	}
	var sales []waybill.Sale
	var items []waybill.SaleItem
	var purchases []waybill.Purchase
	var pitems []waybill.PurchaseItem
	var events []waybill.Event
	results := make([]*waybill.InboundResult, len(ins))
	for i := range drafts {
		d := &drafts[i]
		d.custAt.ID = d.cust.c.ID
		d.sale.ID = take("sales")
		d.sale.CustomerID = d.cust.c.ID
		res := &waybill.InboundResult{SaleID: d.sale.ID, Created: true, CustomerID: d.cust.c.ID}
		for j := range d.items {
			d.items[j].ID = take("sale_items")
			d.items[j].SaleID = d.sale.ID
			res.SaleItemIDs = append(res.SaleItemIDs, d.items[j].ID)
		}
		for j := range d.purchases {
			d.purchases[j].ID = take("purchases")
			d.purchases[j].SaleID = d.sale.ID
			res.PurchaseIDs = append(res.PurchaseIDs, d.purchases[j].ID)
		}
		for j := range d.pitems {
			d.pitems[j].ID = take("purchase_items")
			d.pitems[j].SaleItemID = d.items[d.pitemOf[j]].ID
			d.pitems[j].PurchaseID = d.purchases[d.pitemTo[j]].ID
		}
		sales = append(sales, d.sale)
		items = append(items, d.items...)
		purchases = append(purchases, d.purchases...)
		pitems = append(pitems, d.pitems...)
		if !d.sale.DropshippedAt.IsZero() {
			snap := saleSnapshot(saleContext{sale: &d.sale, channel: ch, customer: d.custAt, created: true}, d.items, d.purchases)
			e, err := s.event(ch.OrgID, waybill.EventSaleDropship, snap)
			if err != nil {
				return nil, err
			}
			events = append(events, e)
		}
		results[i] = res
	}

	if err := tx.InsertCustomers(ctx, newCustomers); err != nil {
		return nil, err
	}
	for _, c := range touched {
		if !c.isNew {
			if err := tx.SaveCustomer(ctx, &c.c); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.InsertNewSales(ctx, sales); err != nil {
		return nil, err
	}
	if err := tx.InsertSaleItems(ctx, items); err != nil {
		return nil, err
	}
	if err := tx.InsertPurchases(ctx, purchases); err != nil {
		return nil, err
	}
	if err := tx.InsertPurchaseItems(ctx, pitems); err != nil {
		return nil, err
	}
	if err := s.dispatch(ctx, tx, events...); err != nil {
		return nil, err
	}
	return results, nil
}
