package onport

import (
	"context"
	"slices"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
)

// record is one listed resource: its id, the domain value it came from and
// its rendering. Side-loads add keys to the rendering; every record gets
// its own rendering of what it includes, so records that share a parent
// never share a map.
type record struct {
	id  int64
	ref any
	m   map[string]any
}

// include side-loads one model into every record, under Onport's key.
type include func(ctx context.Context, c Reader, org int64, recs []record) error

// rel follows a relation of the commerce model: for each value of from,
// the related values, in order.
type rel[S, T any] func(ctx context.Context, c Reader, org int64, from []S) ([][]T, error)

// lookup lists the values with the given ids (or parent ids).
type lookup[T any] func(ctx context.Context, c Reader, org int64, ids []int64) ([]T, error)

// maxIDs is how many ids one read asks for at most (commerce's bound).
const maxIDs = 1000

// fetch runs look for the distinct non-zero ids, in chunks of maxIDs.
func fetch[T any](ctx context.Context, c Reader, org int64, look lookup[T], ids []int64) ([]T, error) {
	var distinct []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	var out []T
	for chunk := range slices.Chunk(distinct, maxIDs) {
		vs, err := look(ctx, c, org, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// belongsTo is the relation to the one value a foreign key names.
func belongsTo[S, T any](fk func(S) int64, look lookup[T], id func(T) int64) rel[S, T] {
	return func(ctx context.Context, c Reader, org int64, from []S) ([][]T, error) {
		ids := make([]int64, len(from))
		for i, s := range from {
			ids[i] = fk(s)
		}
		vs, err := fetch(ctx, c, org, look, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]T, len(vs))
		for _, v := range vs {
			byID[id(v)] = v
		}
		out := make([][]T, len(from))
		for i, s := range from {
			if v, ok := byID[fk(s)]; ok {
				out[i] = []T{v}
			}
		}
		return out, nil
	}
}

// hasMany is the relation to the values whose foreign key names a value.
func hasMany[S, T any](id func(S) int64, look lookup[T], fk func(T) int64) rel[S, T] {
	return func(ctx context.Context, c Reader, org int64, from []S) ([][]T, error) {
		ids := make([]int64, len(from))
		for i, s := range from {
			ids[i] = id(s)
		}
		vs, err := fetch(ctx, c, org, look, ids)
		if err != nil {
			return nil, err
		}
		groups := map[int64][]T{}
		for _, v := range vs {
			groups[fk(v)] = append(groups[fk(v)], v)
		}
		out := make([][]T, len(from))
		for i, s := range from {
			out[i] = groups[id(s)]
		}
		return out, nil
	}
}

// via follows first, then second from each value first reached.
func via[S, M, T any](first rel[S, M], second rel[M, T]) rel[S, T] {
	return func(ctx context.Context, c Reader, org int64, from []S) ([][]T, error) {
		mids, err := first(ctx, c, org, from)
		if err != nil {
			return nil, err
		}
		var flat []M
		var owner []int
		for i, ms := range mids {
			for _, m := range ms {
				flat, owner = append(flat, m), append(owner, i)
			}
		}
		ends, err := second(ctx, c, org, flat)
		if err != nil {
			return nil, err
		}
		out := make([][]T, len(from))
		for j, ts := range ends {
			out[owner[j]] = append(out[owner[j]], ts...)
		}
		return out, nil
	}
}

// one side-loads a relation as one object per record (null when there is
// none); many as an array per record.
func one[S, T any](key string, r rel[S, T], render func(T) map[string]any) include {
	return sideLoad(key, r, render, false)
}

func many[S, T any](key string, r rel[S, T], render func(T) map[string]any) include {
	return sideLoad(key, r, render, true)
}

func sideLoad[S, T any](key string, r rel[S, T], render func(T) map[string]any, many bool) include {
	return func(ctx context.Context, c Reader, org int64, recs []record) error {
		from := make([]S, len(recs))
		for i, rec := range recs {
			from[i] = rec.ref.(S)
		}
		related, err := r(ctx, c, org, from)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			switch {
			case many:
				list := make([]map[string]any, 0, len(related[i]))
				for _, v := range related[i] {
					list = append(list, render(v))
				}
				rec.m[key] = list
			case len(related[i]) > 0:
				rec.m[key] = render(related[i][0])
			default:
				rec.m[key] = nil
			}
		}
		return nil
	}
}

// Lookups of the read API by ids or parent ids.
func salesByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Sale, error) {
	return c.ListSales(ctx, org, commerce.SaleFilter{IDs: ids}, commerce.Page{})
}

func salesByCustomer(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Sale, error) {
	return c.ListSales(ctx, org, commerce.SaleFilter{CustomerIDs: ids}, commerce.Page{})
}

func saleItemsByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.SaleItem, error) {
	return c.ListSaleItems(ctx, org, commerce.SaleItemFilter{IDs: ids}, commerce.Page{})
}

func saleItemsBySale(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.SaleItem, error) {
	return c.ListSaleItems(ctx, org, commerce.SaleItemFilter{SaleIDs: ids}, commerce.Page{})
}

func customersByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Customer, error) {
	return c.ListCustomers(ctx, org, commerce.CustomerFilter{IDs: ids}, commerce.Page{})
}

func channelsByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Channel, error) {
	return c.ListChannels(ctx, org, commerce.ChannelFilter{IDs: ids}, commerce.Page{})
}

func purchasesByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Purchase, error) {
	return c.ListPurchases(ctx, org, commerce.PurchaseFilter{IDs: ids}, commerce.Page{})
}

func purchasesBySale(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Purchase, error) {
	return c.ListPurchases(ctx, org, commerce.PurchaseFilter{SaleIDs: ids}, commerce.Page{})
}

func purchaseItemsByPurchase(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.PurchaseItem, error) {
	return c.ListPurchaseItems(ctx, org, commerce.PurchaseItemFilter{PurchaseIDs: ids}, commerce.Page{})
}

func dropshipmentsBySale(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Dropshipment, error) {
	return c.ListDropshipments(ctx, org, commerce.DropshipmentFilter{SaleIDs: ids}, commerce.Page{})
}

func dropshipmentsByPurchase(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.Dropshipment, error) {
	return c.ListDropshipments(ctx, org, commerce.DropshipmentFilter{PurchaseIDs: ids}, commerce.Page{})
}

func dropshipmentItemsByDropshipment(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.DropshipmentItem, error) {
	return c.ListDropshipmentItems(ctx, org, commerce.DropshipmentItemFilter{DropshipmentIDs: ids}, commerce.Page{})
}

func providersByID(ctx context.Context, c Reader, org int64, ids []int64) ([]waybill.DropshipProvider, error) {
	return c.ListProviders(ctx, org, commerce.ProviderFilter{IDs: ids}, commerce.Page{})
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

// The relations side-loads follow.
var (
	saleCustomer      = belongsTo(func(s waybill.Sale) int64 { return s.CustomerID }, customersByID, customerID)
	saleChannel       = belongsTo(func(s waybill.Sale) int64 { return s.ChannelID }, channelsByID, channelID)
	saleItems         = hasMany(saleID, saleItemsBySale, func(i waybill.SaleItem) int64 { return i.SaleID })
	salePurchases     = hasMany(saleID, purchasesBySale, func(p waybill.Purchase) int64 { return p.SaleID })
	saleDropshipments = hasMany(saleID, dropshipmentsBySale, func(d waybill.Dropshipment) int64 { return d.SaleID })
	customerSales     = hasMany(customerID, salesByCustomer, func(s waybill.Sale) int64 { return s.CustomerID })

	purchaseItems         = hasMany(purchaseID, purchaseItemsByPurchase, func(i waybill.PurchaseItem) int64 { return i.PurchaseID })
	purchaseDropshipments = hasMany(purchaseID, dropshipmentsByPurchase, func(d waybill.Dropshipment) int64 { return d.PurchaseID })
	purchaseSale          = belongsTo(func(p waybill.Purchase) int64 { return p.SaleID }, salesByID, saleID)
	purchaseProvider      = belongsTo(func(p waybill.Purchase) int64 { return p.DropshipProviderID }, providersByID, providerID)
	purchaseItemSaleItem  = belongsTo(func(i waybill.PurchaseItem) int64 { return i.SaleItemID }, saleItemsByID, saleItemID)

	dropshipmentSale         = belongsTo(func(d waybill.Dropshipment) int64 { return d.SaleID }, salesByID, saleID)
	dropshipmentPurchase     = belongsTo(func(d waybill.Dropshipment) int64 { return d.PurchaseID }, purchasesByID, purchaseID)
	dropshipmentItems        = hasMany(dropshipmentID, dropshipmentItemsByDropshipment, func(i waybill.DropshipmentItem) int64 { return i.DropshipmentID })
	dropshipmentItemSaleItem = belongsTo(func(i waybill.DropshipmentItem) int64 { return i.SaleItemID }, saleItemsByID, saleItemID)

	variantChannel = belongsTo(func(v waybill.Variant) int64 { return v.ChannelID }, channelsByID, channelID)
)

// resources are the listings of the synchronous API. Side-loaded records
// appear under Onport's keys: has-many in the plural (sale_items,
// purchases), belongs-to in the singular (customer, sale, purchase,
// dropship_provider, sale_item).
var resources = []resource{
	listing("sales", Reader.ListSales, saleID, renderSale, map[string]setter[commerce.SaleFilter]{
		"id":         ids(func(f *commerce.SaleFilter) *[]int64 { return &f.IDs }),
		"externalId": texts(func(f *commerce.SaleFilter) *[]string { return &f.ExternalIDs }),
		"status":     texts(func(f *commerce.SaleFilter) *[]string { return &f.Statuses }),
		"channelId":  ids(func(f *commerce.SaleFilter) *[]int64 { return &f.ChannelIDs }),
		"customerId": ids(func(f *commerce.SaleFilter) *[]int64 { return &f.CustomerIDs }),
	}, map[string]include{
		"Customer":         one("customer", saleCustomer, renderCustomer),
		"Channel":          one("channel", saleChannel, renderChannelNoURL),
		"SaleItem":         many("sale_items", saleItems, renderSaleItem),
		"Purchase":         many("purchases", salePurchases, renderPurchase),
		"Dropshipment":     many("dropshipments", saleDropshipments, renderDropshipment),
		"PurchaseItem":     many("purchase_items", via(salePurchases, purchaseItems), renderPurchaseItem),
		"DropshipmentItem": many("dropshipment_items", via(saleDropshipments, dropshipmentItems), renderDropshipmentItem),
		"DropshipProvider": many("dropship_providers", via(salePurchases, purchaseProvider), renderProvider),
	}),
	listing("dropshipments", Reader.ListDropshipments, dropshipmentID, renderDropshipment, map[string]setter[commerce.DropshipmentFilter]{
		"id":             ids(func(f *commerce.DropshipmentFilter) *[]int64 { return &f.IDs }),
		"saleId":         ids(func(f *commerce.DropshipmentFilter) *[]int64 { return &f.SaleIDs }),
		"purchaseId":     ids(func(f *commerce.DropshipmentFilter) *[]int64 { return &f.PurchaseIDs }),
		"trackingNumber": texts(func(f *commerce.DropshipmentFilter) *[]string { return &f.TrackingNumbers }),
		"createdAt$gte":  since(func(f *commerce.DropshipmentFilter) *time.Time { return &f.CreatedSince }),
	}, map[string]include{
		"Purchase":         one("purchase", dropshipmentPurchase, renderPurchase),
		"Sale":             one("sale", dropshipmentSale, renderSale),
		"DropshipmentItem": many("dropshipment_items", dropshipmentItems, renderDropshipmentItem),
		"DropshipProvider": one("dropship_provider", via(dropshipmentPurchase, purchaseProvider), renderProvider),
		"SaleItem":         many("sale_items", via(dropshipmentItems, dropshipmentItemSaleItem), renderSaleItem),
		"Channel":          one("channel", via(dropshipmentSale, saleChannel), renderChannelNoURL),
		"Customer":         one("customer", via(dropshipmentSale, saleCustomer), renderCustomer),
	}),
	listing("purchases", Reader.ListPurchases, purchaseID, renderPurchase, map[string]setter[commerce.PurchaseFilter]{
		"id":                 ids(func(f *commerce.PurchaseFilter) *[]int64 { return &f.IDs }),
		"saleId":             ids(func(f *commerce.PurchaseFilter) *[]int64 { return &f.SaleIDs }),
		"dropshipProviderId": ids(func(f *commerce.PurchaseFilter) *[]int64 { return &f.DropshipProviderIDs }),
		"status":             texts(func(f *commerce.PurchaseFilter) *[]string { return &f.Statuses }),
		"reference":          texts(func(f *commerce.PurchaseFilter) *[]string { return &f.References }),
	}, map[string]include{
		"PurchaseItem":     many("purchase_items", purchaseItems, renderPurchaseItem),
		"Dropshipment":     many("dropshipments", purchaseDropshipments, renderDropshipment),
		"Sale":             one("sale", purchaseSale, renderSale),
		"DropshipProvider": one("dropship_provider", purchaseProvider, renderProvider),
		"SaleItem":         many("sale_items", via(purchaseItems, purchaseItemSaleItem), renderSaleItem),
	}),
	listing("customers", Reader.ListCustomers, customerID, renderCustomer, map[string]setter[commerce.CustomerFilter]{
		"id":    ids(func(f *commerce.CustomerFilter) *[]int64 { return &f.IDs }),
		"email": texts(func(f *commerce.CustomerFilter) *[]string { return &f.Emails }),
	}, map[string]include{
		"Sale": many("sales", customerSales, renderSale),
	}),
	listing("channels", Reader.ListChannels, channelID, renderChannelNoURL, map[string]setter[commerce.ChannelFilter]{
		"id":   ids(func(f *commerce.ChannelFilter) *[]int64 { return &f.IDs }),
		"name": texts(func(f *commerce.ChannelFilter) *[]string { return &f.Names }),
	}, map[string]include{}),
	listing("tracking-events", Reader.ListTrackingEvents, trackingEventID, renderTrackingEvent, map[string]setter[commerce.TrackingEventFilter]{
		"id":             ids(func(f *commerce.TrackingEventFilter) *[]int64 { return &f.IDs }),
		"dropshipmentId": ids(func(f *commerce.TrackingEventFilter) *[]int64 { return &f.DropshipmentIDs }),
		"status":         texts(func(f *commerce.TrackingEventFilter) *[]string { return &f.Statuses }),
	}, map[string]include{}),
	listing("variants", Reader.ListVariants, variantID, renderVariant, map[string]setter[commerce.VariantFilter]{
		"id":         ids(func(f *commerce.VariantFilter) *[]int64 { return &f.IDs }),
		"sku":        texts(func(f *commerce.VariantFilter) *[]string { return &f.SKUs }),
		"externalId": texts(func(f *commerce.VariantFilter) *[]string { return &f.ExternalIDs }),
		"channelId":  ids(func(f *commerce.VariantFilter) *[]int64 { return &f.ChannelIDs }),
	}, map[string]include{
		"Channel": one("channel", variantChannel, renderChannelNoURL),
	}),
}
