package commerce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// BatchableSale reports whether w is a manual sale that UpsertSales can
// take, and returns its external id: every line is routed by its vendor
// property or not at all (a line routed by its variant needs a lookup of
// its own). Call it on a validated write.
func BatchableSale(w Write) (string, bool) {
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

// draftCustomer is a customer as UpsertSales leaves it.
type draftCustomer struct {
	c       waybill.Customer
	isNew   bool // inserted by this batch
	touched bool // to write
}

// saleState is one sale of UpsertSales as the inputs so far left it.
type saleState struct {
	sale       waybill.Sale
	isNew      bool // inserted by this batch
	seen       bool // an earlier input of the batch wrote it
	items      []waybill.SaleItem
	purchases  []waybill.Purchase
	pitems     []waybill.PurchaseItem
	dirtyItems map[int64]bool // existing items to update
	dirtyPI    map[int64]bool // existing purchase items to update
	loaded     [3]int         // items, purchases and purchase items read from the store
}

// idPool numbers a batch's new rows before their ids are known: take
// gives the n-th new row of a table the provisional id -n, and real maps
// it to the n-th id AllocateIDs reserved (ids that are not provisional
// are kept). Ids are thus reserved exactly, in the order one-by-one
// processing would have inserted the rows.
type idPool struct {
	counts map[string]int
	ids    map[string][]int64
}

func (p *idPool) take(table string) int64 {
	p.counts[table]++
	return -int64(p.counts[table])
}

func (p *idPool) real(table string, id *int64) {
	if *id < 0 {
		*id = p.ids[table][-*id-1]
	}
}

// realSnapshot gives snap's new rows their ids.
func (p *idPool) realSnapshot(snap *snapshotDraft) {
	p.realSale(&snap.sale)
	p.real("customers", &snap.customer.ID)
	for i := range snap.items {
		p.realItem(&snap.items[i])
	}
	for i := range snap.purchases {
		p.realPurchase(&snap.purchases[i])
	}
}

func (p *idPool) realSale(s *waybill.Sale) {
	p.real("sales", &s.ID)
	p.real("customers", &s.CustomerID)
}

func (p *idPool) realItem(it *waybill.SaleItem) {
	p.real("sale_items", &it.ID)
	p.real("sales", &it.SaleID)
}

func (p *idPool) realPurchase(pu *waybill.Purchase) {
	p.real("purchases", &pu.ID)
	p.real("sales", &pu.SaleID)
}

func (p *idPool) realPI(pi *waybill.PurchaseItem) {
	p.real("purchase_items", &pi.ID)
	p.real("purchases", &pi.PurchaseID)
	p.real("sale_items", &pi.SaleItemID)
}

func (p *idPool) realResult(r *waybill.InboundResult) {
	p.real("sales", &r.SaleID)
	p.real("customers", &r.CustomerID)
	for i := range r.SaleItemIDs {
		p.real("sale_items", &r.SaleItemIDs[i])
	}
	for i := range r.PurchaseIDs {
		p.real("purchases", &r.PurchaseIDs[i])
	}
}

// snapshotDraft is what a sale.dropship event of the batch shows: the
// sale, its lines, purchases and customer as that input left them.
type snapshotDraft struct {
	sale      waybill.Sale
	customer  waybill.Customer
	items     []waybill.SaleItem
	purchases []waybill.Purchase
	created   bool
}

// UpsertSales applies manual sales of one channel, in order, with the
// effects Apply would have for each of them one after another: a sale is
// created or updated, a later input of the same sale sees the earlier
// one, and the customers (found by email, or new), lines, vendors,
// purchases, purchase lines, sale.dropship events and results are Apply's.
// Each input must be validated and a BatchableSale. It reads and writes
// each table with one statement or a few, so that a batch costs a handful
// of round trips rather than about twenty per sale. It gives ECONFLICT
// when one of its new sales appeared meanwhile (a concurrent writer's);
// the caller's savepoint must then undo it all, and the inputs go through
// Apply one by one.
func (s *Service) UpsertSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, ins []*ManualSale) ([]*waybill.InboundResult, error) {
	if len(ins) == 0 {
		return nil, nil
	}
	now := s.now()
	var emails, vendors, exts []string
	seenEmail, seenVendor, seenExt := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, in := range ins {
		if _, ok := BatchableSale(in); !ok {
			return nil, fmt.Errorf("upsert sales: sale %q cannot be written in a batch", in.ExternalID)
		}
		if !seenExt[in.ExternalID] {
			seenExt[in.ExternalID] = true
			exts = append(exts, in.ExternalID)
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

	states, custByID, err := s.loadSales(ctx, tx, ch, exts)
	if err != nil {
		return nil, err
	}
	found, err := tx.CustomersByEmail(ctx, ch.OrgID, emails)
	if err != nil {
		return nil, err
	}
	byEmail := map[string]*draftCustomer{}
	for e, c := range found {
		dc := custByID[c.ID]
		if dc == nil {
			dc = &draftCustomer{c: c}
			custByID[c.ID] = dc
		}
		byEmail[e] = dc
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
	ids := &idPool{counts: map[string]int{}}

	var order []*saleState // in first-use order
	var custOrder []*draftCustomer
	var snaps []snapshotDraft
	results := make([]*waybill.InboundResult, len(ins))
	for i, in := range ins {
		st := states[in.ExternalID]
		if st == nil {
			st = &saleState{isNew: true, sale: waybill.Sale{ID: ids.take("sales"), OrgID: ch.OrgID, ChannelID: ch.ID, ExternalID: in.ExternalID,
				Status: waybill.SaleStatusPending, CreatedAt: now, DateOrdered: now, UpdatedAt: now}}
			states[in.ExternalID] = st
		}
		if !st.seen {
			order = append(order, st)
		}
		res := &waybill.InboundResult{Created: st.isNew && !st.seen, SaleID: st.sale.ID}
		st.seen = true

		cust := s.resolveCustomer(ch, in, st, custByID, byEmail, ids, now)
		if !cust.touched {
			cust.touched = true
			custOrder = append(custOrder, cust)
		}
		res.CustomerID = cust.c.ID
		if snap := s.applySale(ch, in, st, cust, providers, ids, now, res); snap != nil {
			snaps = append(snaps, *snap)
		}
		results[i] = res
	}

	if ids.ids, err = tx.AllocateIDs(ctx, ids.counts); err != nil {
		return nil, err
	}
	for _, r := range results {
		ids.realResult(r)
	}
	for i := range snaps {
		ids.realSnapshot(&snaps[i])
	}
	for _, c := range custOrder {
		ids.real("customers", &c.c.ID)
	}
	for _, st := range order {
		ids.realSale(&st.sale)
		for i := range st.items {
			ids.realItem(&st.items[i])
		}
		for i := range st.purchases {
			ids.realPurchase(&st.purchases[i])
		}
		for i := range st.pitems {
			ids.realPI(&st.pitems[i])
		}
	}

	// The events are built (their snapshots encoded, about a tenth of a
	// batch's CPU here) while the database writes the rows, on the other
	// CPU: a channel's turns are serial, so this process and the database
	// would otherwise wait for each other. The snapshots are copies:
	// writeSales does not share them.
	events := make([]waybill.Event, len(snaps))
	built := make(chan error, 1)
	go func() { built <- s.buildEvents(ch, snaps, events) }()
	err = s.writeSales(ctx, tx, ch, order, custOrder)
	if evErr := <-built; err == nil {
		err = evErr
	}
	if err != nil {
		return nil, err
	}
	if err := s.dispatch(ctx, tx, events...); err != nil {
		return nil, err
	}
	return results, nil
}

// buildEvents fills events with the sale.dropship events of snaps (whose
// ids are real).
func (s *Service) buildEvents(ch waybill.Channel, snaps []snapshotDraft, events []waybill.Event) error {
	for i := range snaps {
		sn := &snaps[i]
		snap := saleSnapshot(saleContext{sale: &sn.sale, channel: ch, customer: sn.customer, created: sn.created}, sn.items, sn.purchases)
		var err error
		if events[i], err = s.event(ch.OrgID, waybill.EventSaleDropship, snap); err != nil {
			return err
		}
	}
	return nil
}

// loadSales reads the channel's sales with those external ids (locked),
// with their lines, purchases, purchase lines and customers.
func (s *Service) loadSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, exts []string) (map[string]*saleState, map[int64]*draftCustomer, error) {
	states := map[string]*saleState{}
	custs := map[int64]*draftCustomer{}
	existing, err := tx.SalesByExternalIDForUpdate(ctx, ch.OrgID, ch.ID, exts)
	if err != nil || len(existing) == 0 {
		return states, custs, err
	}
	bySale := map[int64]*saleState{}
	var saleIDs, custIDs []any
	for ext, sale := range existing {
		st := &saleState{sale: sale, dirtyItems: map[int64]bool{}, dirtyPI: map[int64]bool{}}
		states[ext], bySale[sale.ID] = st, st
		saleIDs = append(saleIDs, sale.ID)
		if sale.CustomerID != 0 {
			custIDs = append(custIDs, sale.CustomerID)
		}
	}
	for _, part := range chunks(saleIDs) {
		items, err := tx.SaleItems(ctx, ch.OrgID, []store.Cond{{Column: "sale_id", Values: part}}, store.Page{})
		if err != nil {
			return nil, nil, err
		}
		for _, it := range items {
			st := bySale[it.SaleID]
			st.items = append(st.items, it)
		}
		ps, err := tx.Purchases(ctx, ch.OrgID, []store.Cond{{Column: "sale_id", Values: part}}, store.Page{})
		if err != nil {
			return nil, nil, err
		}
		var pids []any
		ofPurchase := map[int64]*saleState{}
		for _, p := range ps {
			st := bySale[p.SaleID]
			st.purchases = append(st.purchases, p)
			pids = append(pids, p.ID)
			ofPurchase[p.ID] = st
		}
		for _, pp := range chunks(pids) {
			pis, err := tx.PurchaseItems(ctx, ch.OrgID, []store.Cond{{Column: "purchase_id", Values: pp}}, store.Page{})
			if err != nil {
				return nil, nil, err
			}
			for _, pi := range pis {
				st := ofPurchase[pi.PurchaseID]
				st.pitems = append(st.pitems, pi)
			}
		}
	}
	for _, part := range chunks(custIDs) {
		cs, err := tx.Customers(ctx, ch.OrgID, []store.Cond{{Column: "id", Values: part}}, store.Page{})
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cs {
			custs[c.ID] = &draftCustomer{c: c}
		}
	}
	for _, st := range states {
		st.loaded = [3]int{len(st.items), len(st.purchases), len(st.pitems)}
	}
	return states, custs, nil
}

// chunks splits values into lists that a store.Cond takes.
func chunks(vs []any) [][]any {
	const size = 1000
	var out [][]any
	for len(vs) > size {
		out = append(out, vs[:size])
		vs = vs[size:]
	}
	if len(vs) > 0 {
		out = append(out, vs)
	}
	return out
}

// resolveCustomer returns the customer in's sale is left with, changed as
// upsertSale changes it.
func (s *Service) resolveCustomer(ch waybill.Channel, in *ManualSale, st *saleState, byID map[int64]*draftCustomer,
	byEmail map[string]*draftCustomer, ids *idPool, now time.Time) *draftCustomer {
	fresh := func() *draftCustomer {
		dc := &draftCustomer{c: waybill.Customer{ID: ids.take("customers"), OrgID: ch.OrgID, CreatedAt: now}, isNew: true}
		byID[dc.c.ID] = dc
		return dc
	}
	email := strings.ToLower(strings.TrimSpace(in.Customer.Email))
	var cust *draftCustomer
	if st.sale.CustomerID != 0 {
		cust = byID[st.sale.CustomerID]
	}
	if email != "" && (cust == nil || !strings.EqualFold(cust.c.Email, email)) {
		cust = byEmail[email]
	}
	created := cust == nil
	if created {
		cust = fresh()
	}
	c := &cust.c
	if email != "" {
		c.Email = email
		if byEmail[email] == nil {
			byEmail[email] = cust
		}
	}
	if in.Customer.FirstName != "" || created {
		c.FirstName = strings.TrimSpace(in.Customer.FirstName)
	}
	if in.Customer.LastName != "" || created {
		c.LastName = strings.TrimSpace(in.Customer.LastName)
	}
	c.UpdatedAt = now
	return cust
}

// applySale changes st as upsertSale changes the sale for in, filling res,
// and returns what the sale.dropship event it raises shows, if it raises
// one.
func (s *Service) applySale(ch waybill.Channel, in *ManualSale, st *saleState, cust *draftCustomer,
	providers map[string]waybill.DropshipProvider, ids *idPool, now time.Time, res *waybill.InboundResult) *snapshotDraft {
	sale := &st.sale
	in.fillSale(sale, cust.c.ID, now)

	byExt := map[string]int{}
	for i, it := range st.items {
		byExt[it.ExternalID] = i
	}
	for _, li := range in.LineItems {
		i, known := byExt[li.ExternalID]
		if !known {
			i = len(st.items)
			byExt[li.ExternalID] = i
			st.items = append(st.items, waybill.SaleItem{ID: ids.take("sale_items"), OrgID: ch.OrgID, SaleID: sale.ID,
				ExternalID: li.ExternalID, CreatedAt: now})
		} else if st.dirtyItems != nil {
			st.dirtyItems[st.items[i].ID] = true
		}
		it := &st.items[i]
		it.Name = strings.TrimSpace(li.Name)
		it.Quantity = *li.Quantity
		it.Price = *li.Price
		it.Taxable = li.Taxable
		it.VariantExternalID = li.VariantExternalID
		it.Properties = nil
		for _, p := range li.Properties {
			it.Properties = append(it.Properties, waybill.Property{Key: p.Key, Value: p.Value})
		}
		if v := li.Vendor(); v != "" {
			it.DropshipProviderID = providers[v].ID
		}
		it.UpdatedAt = now
		res.SaleItemIDs = append(res.SaleItemIDs, it.ID)
	}
	sale.Subtotal, sale.Quantity = 0, 0
	for _, it := range st.items {
		sale.Subtotal += float64(it.Quantity) * it.Price
		sale.Quantity += it.Quantity
	}
	sale.Total = sale.Subtotal + sale.ShippingTotal

	// dropship, in memory.
	for _, it := range st.items {
		if it.DropshipProviderID == 0 {
			return nil
		}
	}
	byProvider := map[int64]int{}
	for i, p := range st.purchases {
		byProvider[p.DropshipProviderID] = i
	}
	bySaleItem := map[int64]int{}
	for i, pi := range st.pitems {
		bySaleItem[pi.SaleItemID] = i
	}
	for _, it := range st.items {
		k, ok := byProvider[it.DropshipProviderID]
		if !ok {
			k = len(st.purchases)
			byProvider[it.DropshipProviderID] = k
			st.purchases = append(st.purchases, waybill.Purchase{ID: ids.take("purchases"), OrgID: sale.OrgID, SaleID: sale.ID,
				DropshipProviderID: it.DropshipProviderID, Reference: fmt.Sprintf("%s-%02d", sale.Reference, k+1),
				Status: waybill.PurchaseStatusOpen, CreatedAt: now, UpdatedAt: now})
		}
		p := st.purchases[k]
		j, ok := bySaleItem[it.ID]
		switch {
		case !ok:
			bySaleItem[it.ID] = len(st.pitems)
			st.pitems = append(st.pitems, waybill.PurchaseItem{ID: ids.take("purchase_items"), OrgID: sale.OrgID, PurchaseID: p.ID,
				SaleItemID: it.ID, Quantity: it.Quantity, CreatedAt: now})
		case st.pitems[j].Quantity != it.Quantity && st.pitems[j].PurchaseID == p.ID:
			st.pitems[j].Quantity = it.Quantity
			if st.dirtyPI != nil {
				st.dirtyPI[st.pitems[j].ID] = true
			}
		}
	}
	for _, p := range st.purchases {
		res.PurchaseIDs = append(res.PurchaseIDs, p.ID)
	}
	if sale.Status == waybill.SaleStatusPending {
		sale.Status = waybill.SaleStatusDropship
	}
	if !sale.DropshippedAt.IsZero() {
		return nil
	}
	sale.DropshippedAt = now
	// Copies: later inputs of the batch change st.
	snap := &snapshotDraft{sale: *sale, customer: cust.c, items: make([]waybill.SaleItem, len(st.items)),
		purchases: append([]waybill.Purchase(nil), st.purchases...), created: res.Created}
	for i, it := range st.items {
		it.Properties = append([]waybill.Property(nil), it.Properties...)
		snap.items[i] = it
	}
	return snap
}

// writeSales writes what UpsertSales built: each table's new rows in one
// statement, its changed rows in another.
func (s *Service) writeSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, order []*saleState, custs []*draftCustomer) error {
	var newCustomers []waybill.Customer
	for _, c := range custs {
		if c.isNew {
			newCustomers = append(newCustomers, c.c)
		}
	}
	if err := tx.InsertCustomers(ctx, newCustomers); err != nil {
		return err
	}
	for _, c := range custs {
		if !c.isNew {
			if err := tx.SaveCustomer(ctx, &c.c); err != nil {
				return err
			}
		}
	}
	var created, updated []waybill.Sale
	var newItems, changedItems []waybill.SaleItem
	var newPurchases []waybill.Purchase
	var newPI []waybill.PurchaseItem
	var changedPI []waybill.PurchaseItem
	for _, st := range order {
		if st.isNew {
			created = append(created, st.sale)
			newItems = append(newItems, st.items...)
			newPurchases = append(newPurchases, st.purchases...)
			newPI = append(newPI, st.pitems...)
			continue
		}
		updated = append(updated, st.sale)
		// Rows past those read from the store are this batch's.
		for i, it := range st.items {
			if i >= st.loaded[0] {
				newItems = append(newItems, it)
			} else if st.dirtyItems[it.ID] {
				changedItems = append(changedItems, it)
			}
		}
		newPurchases = append(newPurchases, st.purchases[st.loaded[1]:]...)
		for i := range st.pitems {
			if i >= st.loaded[2] {
				newPI = append(newPI, st.pitems[i])
			} else if st.dirtyPI[st.pitems[i].ID] {
				changedPI = append(changedPI, st.pitems[i])
			}
		}
	}
	if err := tx.InsertNewSales(ctx, created); err != nil {
		return err
	}
	if err := tx.UpdateSales(ctx, ch.OrgID, updated); err != nil {
		return err
	}
	if err := tx.InsertSaleItems(ctx, newItems); err != nil {
		return err
	}
	if err := tx.UpdateSaleItems(ctx, ch.OrgID, changedItems); err != nil {
		return err
	}
	if err := tx.InsertPurchases(ctx, newPurchases); err != nil {
		return err
	}
	if err := tx.InsertPurchaseItems(ctx, newPI); err != nil {
		return err
	}
	return tx.UpdatePurchaseItemQuantities(ctx, ch.OrgID, changedPI)
}
