package onport

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// record is one rendered resource with the domain value it came from.
type record struct {
	id  int64
	ref any
	m   map[string]any
}

// loader side-loads one model into every record, under its key.
type loader func(ctx context.Context, q *store.Queries, org int64, recs []record) error

// resource is one /api/<name>.json listing.
type resource struct {
	name     string
	where    map[string]string // where[field] -> column
	load     func(ctx context.Context, q *store.Queries, org int64, conds []store.Cond, p store.Page) ([]record, error)
	includes map[string]loader // include[n][model] -> loader
}

type lister[T any] func(q *store.Queries, ctx context.Context, org int64, conds []store.Cond, p store.Page) ([]T, error)

func loadAll[T any](list lister[T], id func(T) int64, render func(T) map[string]any) func(context.Context, *store.Queries, int64, []store.Cond, store.Page) ([]record, error) {
	return func(ctx context.Context, q *store.Queries, org int64, conds []store.Cond, p store.Page) ([]record, error) {
		vs, err := list(q, ctx, org, conds, p)
		if err != nil {
			return nil, err
		}
		out := make([]record, len(vs))
		for i, v := range vs {
			out[i] = record{id: id(v), ref: v, m: render(v)}
		}
		return out, nil
	}
}

// hasMany side-loads the children whose column col holds a record's id.
func hasMany[T any](key string, list lister[T], col string, fk func(T) int64, render func(T) map[string]any) loader {
	return func(ctx context.Context, q *store.Queries, org int64, recs []record) error {
		ids := make([]int64, len(recs))
		for i, r := range recs {
			ids[i] = r.id
		}
		children, err := list(q, ctx, org, []store.Cond{{Column: col, Values: store.IDs(ids...)}}, store.Page{})
		if err != nil {
			return err
		}
		groups := map[int64][]map[string]any{}
		for _, c := range children {
			groups[fk(c)] = append(groups[fk(c)], render(c))
		}
		for _, r := range recs {
			g := groups[r.id]
			if g == nil {
				g = []map[string]any{}
			}
			r.m[key] = g
		}
		return nil
	}
}

// belongsTo side-loads the one record a foreign key of each record names
// (null when it names none).
func belongsTo[T any](key string, fkOf func(record) int64, list lister[T], id func(T) int64, render func(T) map[string]any) loader {
	return func(ctx context.Context, q *store.Queries, org int64, recs []record) error {
		var ids []int64
		for _, r := range recs {
			if fk := fkOf(r); fk != 0 {
				ids = append(ids, fk)
			}
		}
		parents, err := list(q, ctx, org, []store.Cond{{Column: "id", Values: store.IDs(ids...)}}, store.Page{})
		if err != nil {
			return err
		}
		byID := map[int64]map[string]any{}
		for _, p := range parents {
			byID[id(p)] = render(p)
		}
		for _, r := range recs {
			if p, ok := byID[fkOf(r)]; ok {
				r.m[key] = p
			} else {
				r.m[key] = nil
			}
		}
		return nil
	}
}

// through side-loads a model reached through another: it loads the
// intermediate records, side-loads onto them, and copies the result.
func through(key string, first loader, firstKey string, second loader, secondKey string, many bool) loader {
	return func(ctx context.Context, q *store.Queries, org int64, recs []record) error {
		had := make([]bool, len(recs))
		for i, r := range recs {
			_, had[i] = r.m[firstKey]
		}
		defer func() {
			for i, r := range recs {
				if !had[i] {
					delete(r.m, firstKey)
				}
			}
		}()
		if err := first(ctx, q, org, recs); err != nil {
			return err
		}
		var mids []record
		owner := map[int]int{}
		for i, r := range recs {
			switch v := r.m[firstKey].(type) {
			case map[string]any:
				owner[len(mids)] = i
				mids = append(mids, record{id: asID(v["id"]), ref: v, m: v})
			case []map[string]any:
				for _, m := range v {
					owner[len(mids)] = i
					mids = append(mids, record{id: asID(m["id"]), ref: m, m: m})
				}
			}
		}
		if err := second(ctx, q, org, mids); err != nil {
			return err
		}
		for i := range recs {
			if many {
				recs[i].m[key] = []map[string]any{}
			} else {
				recs[i].m[key] = nil
			}
		}
		for j, mid := range mids {
			r := recs[owner[j]]
			switch v := mid.m[secondKey].(type) {
			case map[string]any:
				if many {
					r.m[key] = append(r.m[key].([]map[string]any), v)
				} else {
					r.m[key] = v
				}
			case []map[string]any:
				r.m[key] = append(r.m[key].([]map[string]any), v...)
			}
			delete(mid.m, secondKey)
		}
		return nil
	}
}

func asID(v any) int64 {
	if n, ok := v.(int64); ok {
		return n
	}
	return 0
}

// fkFromMap reads a foreign key from a rendered record (used for records
// reached through another).
func fkFromMap(name string) func(record) int64 {
	return func(r record) int64 {
		switch v := r.ref.(type) {
		case map[string]any:
			return asID(v[name])
		}
		return asID(r.m[name])
	}
}

func saleID(s waybill.Sale) int64                 { return s.ID }
func saleItemID(s waybill.SaleItem) int64         { return s.ID }
func customerID(c waybill.Customer) int64         { return c.ID }
func channelID(c waybill.Channel) int64           { return c.ID }
func purchaseID(p waybill.Purchase) int64         { return p.ID }
func dropshipmentID(d waybill.Dropshipment) int64 { return d.ID }
func providerID(p waybill.DropshipProvider) int64 { return p.ID }
func variantID(v waybill.Variant) int64           { return v.ID }

func renderChannelNoURL(c waybill.Channel) map[string]any { return renderChannel(c, "") }

var (
	loadSaleItemsOfSale  = hasMany("sale_items", (*store.Queries).SaleItems, "sale_id", func(i waybill.SaleItem) int64 { return i.SaleID }, renderSaleItem)
	loadPurchasesOfSale  = hasMany("purchases", (*store.Queries).Purchases, "sale_id", func(p waybill.Purchase) int64 { return p.SaleID }, renderPurchase)
	loadShipmentsOfSale  = hasMany("dropshipments", (*store.Queries).Dropshipments, "sale_id", func(d waybill.Dropshipment) int64 { return d.SaleID }, renderDropshipment)
	loadPItemsOfPurchase = hasMany("purchase_items", (*store.Queries).PurchaseItems, "purchase_id", func(p waybill.PurchaseItem) int64 { return p.PurchaseID }, renderPurchaseItem)
	loadShipmentsOfPurch = hasMany("dropshipments", (*store.Queries).Dropshipments, "purchase_id", func(d waybill.Dropshipment) int64 { return d.PurchaseID }, renderDropshipment)
	loadDItemsOfShipment = hasMany("dropshipment_items", (*store.Queries).DropshipmentItems, "dropshipment_id", func(d waybill.DropshipmentItem) int64 { return d.DropshipmentID }, renderDropshipmentItem)
	loadSalesOfCustomer  = hasMany("sales", (*store.Queries).Sales, "customer_id", func(s waybill.Sale) int64 { return s.CustomerID }, renderSale)

	loadSaleByKey     = belongsTo("sale", fkFromMap("saleId"), (*store.Queries).Sales, saleID, renderSale)
	loadPurchaseByKey = belongsTo("purchase", fkFromMap("purchaseId"), (*store.Queries).Purchases, purchaseID, renderPurchase)
	loadProviderByKey = belongsTo("dropship_provider", fkFromMap("dropshipProviderId"), (*store.Queries).Providers, providerID, renderProvider)
	loadSaleItemByKey = belongsTo("sale_item", fkFromMap("saleItemId"), (*store.Queries).SaleItems, saleItemID, renderSaleItem)
)

// resources are the listings of the synchronous API. Side-loaded records
// appear under Onport's keys: has-many in the plural (sale_items,
// purchases), belongs-to in the singular (customer, sale, purchase,
// dropship_provider, sale_item).
var resources = []resource{
	{
		name:  "sales",
		where: map[string]string{"id": "id", "externalId": "external_id", "status": "status", "channelId": "channel_id", "customerId": "customer_id"},
		load:  loadAll((*store.Queries).Sales, saleID, renderSale),
		includes: map[string]loader{
			"Customer":         belongsTo("customer", func(r record) int64 { return r.ref.(waybill.Sale).CustomerID }, (*store.Queries).Customers, customerID, renderCustomer),
			"Channel":          belongsTo("channel", func(r record) int64 { return r.ref.(waybill.Sale).ChannelID }, (*store.Queries).Channels, channelID, renderChannelNoURL),
			"SaleItem":         loadSaleItemsOfSale,
			"Purchase":         loadPurchasesOfSale,
			"Dropshipment":     loadShipmentsOfSale,
			"PurchaseItem":     through("purchase_items", loadPurchasesOfSale, "purchases", loadPItemsOfPurchase, "purchase_items", true),
			"DropshipmentItem": through("dropshipment_items", loadShipmentsOfSale, "dropshipments", loadDItemsOfShipment, "dropshipment_items", true),
			"DropshipProvider": through("dropship_providers", loadPurchasesOfSale, "purchases", loadProviderByKey, "dropship_provider", true),
		},
	},
	{
		name:  "dropshipments",
		where: map[string]string{"id": "id", "saleId": "sale_id", "purchaseId": "purchase_id", "trackingNumber": "tracking_number"},
		load:  loadAll((*store.Queries).Dropshipments, dropshipmentID, renderDropshipment),
		includes: map[string]loader{
			"Purchase":         loadPurchaseByKey,
			"Sale":             loadSaleByKey,
			"DropshipmentItem": loadDItemsOfShipment,
			"DropshipProvider": through("dropship_provider", loadPurchaseByKey, "purchase", loadProviderByKey, "dropship_provider", false),
			"SaleItem":         through("sale_items", loadDItemsOfShipment, "dropshipment_items", loadSaleItemByKey, "sale_item", true),
			"Channel":          through("channel", loadSaleByKey, "sale", belongsTo("channel", fkFromMap("channelId"), (*store.Queries).Channels, channelID, renderChannelNoURL), "channel", false),
			"Customer":         through("customer", loadSaleByKey, "sale", belongsTo("customer", fkFromMap("customerId"), (*store.Queries).Customers, customerID, renderCustomer), "customer", false),
		},
	},
	{
		name:  "purchases",
		where: map[string]string{"id": "id", "saleId": "sale_id", "dropshipProviderId": "dropship_provider_id", "status": "status", "reference": "reference"},
		load:  loadAll((*store.Queries).Purchases, purchaseID, renderPurchase),
		includes: map[string]loader{
			"PurchaseItem":     loadPItemsOfPurchase,
			"Dropshipment":     loadShipmentsOfPurch,
			"Sale":             loadSaleByKey,
			"DropshipProvider": loadProviderByKey,
			"SaleItem":         through("sale_items", loadPItemsOfPurchase, "purchase_items", loadSaleItemByKey, "sale_item", true),
		},
	},
	{
		name:     "customers",
		where:    map[string]string{"id": "id", "email": "email"},
		load:     loadAll((*store.Queries).Customers, customerID, renderCustomer),
		includes: map[string]loader{"Sale": loadSalesOfCustomer},
	},
	{
		name:     "channels",
		where:    map[string]string{"id": "id", "name": "name"},
		load:     loadAll((*store.Queries).Channels, channelID, renderChannelNoURL),
		includes: map[string]loader{},
	},
	{
		name:  "variants",
		where: map[string]string{"id": "id", "sku": "sku", "externalId": "external_id", "channelId": "channel_id"},
		load:  loadAll((*store.Queries).Variants, variantID, renderVariant),
		includes: map[string]loader{
			"Channel": belongsTo("channel", func(r record) int64 { return r.ref.(waybill.Variant).ChannelID }, (*store.Queries).Channels, channelID, renderChannelNoURL),
		},
	},
}
