package commerce

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// The read API: what faces list and side-load. Every listing is scoped to
// the organization and ordered by id, oldest first. In a filter a nil
// field restricts nothing, and a non-nil empty one matches nothing; several
// fields must all match. A field holds the type of its column, so a face
// parses a request's values into that type and no column is guessed from
// a name. At most 1000 values per field (EINVALID beyond).

// Page is an offset page of a listing. Limit 0 is no limit.
type Page struct {
	Limit  int
	Offset int
}

// SaleFilter selects sales.
type SaleFilter struct {
	IDs, ChannelIDs, CustomerIDs []int64
	ExternalIDs, Statuses        []string
}

// SaleItemFilter selects sale items.
type SaleItemFilter struct {
	IDs, SaleIDs []int64
}

// CustomerFilter selects customers.
type CustomerFilter struct {
	IDs    []int64
	Emails []string
}

// ChannelFilter selects channels.
type ChannelFilter struct {
	IDs   []int64
	Names []string
}

// PurchaseFilter selects purchases.
type PurchaseFilter struct {
	IDs, SaleIDs, DropshipProviderIDs []int64
	Statuses, References              []string
}

// PurchaseItemFilter selects purchase items.
type PurchaseItemFilter struct {
	IDs, PurchaseIDs []int64
}

// DropshipmentFilter selects dropshipments.
type DropshipmentFilter struct {
	IDs, SaleIDs, PurchaseIDs []int64
	TrackingNumbers           []string
	CreatedSince              time.Time // zero: any time
}

// DropshipmentItemFilter selects dropshipment items.
type DropshipmentItemFilter struct {
	IDs, DropshipmentIDs []int64
}

// ProviderFilter selects dropship providers.
type ProviderFilter struct {
	IDs []int64
}

// VariantFilter selects variants.
type VariantFilter struct {
	IDs, ChannelIDs   []int64
	SKUs, ExternalIDs []string
}

// ListSales lists the organization's sales.
func (s *Service) ListSales(ctx context.Context, orgID int64, f SaleFilter, p Page) ([]waybill.Sale, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("channel_id", f.ChannelIDs)
	c.ids("customer_id", f.CustomerIDs)
	c.strs("external_id", f.ExternalIDs)
	c.strs("status", f.Statuses)
	return s.Store.Read().Sales(ctx, orgID, c, p.store())
}

// ListSaleItems lists the organization's sale items.
func (s *Service) ListSaleItems(ctx context.Context, orgID int64, f SaleItemFilter, p Page) ([]waybill.SaleItem, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("sale_id", f.SaleIDs)
	return s.Store.Read().SaleItems(ctx, orgID, c, p.store())
}

// ListCustomers lists the organization's customers.
func (s *Service) ListCustomers(ctx context.Context, orgID int64, f CustomerFilter, p Page) ([]waybill.Customer, error) {
	var c conds
	c.ids("id", f.IDs)
	c.strs("email", f.Emails)
	return s.Store.Read().Customers(ctx, orgID, c, p.store())
}

// ListChannels lists the organization's channels.
func (s *Service) ListChannels(ctx context.Context, orgID int64, f ChannelFilter, p Page) ([]waybill.Channel, error) {
	var c conds
	c.ids("id", f.IDs)
	c.strs("name", f.Names)
	return s.Store.Read().Channels(ctx, orgID, c, p.store())
}

// ListPurchases lists the organization's purchases.
func (s *Service) ListPurchases(ctx context.Context, orgID int64, f PurchaseFilter, p Page) ([]waybill.Purchase, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("sale_id", f.SaleIDs)
	c.ids("dropship_provider_id", f.DropshipProviderIDs)
	c.strs("status", f.Statuses)
	c.strs("reference", f.References)
	return s.Store.Read().Purchases(ctx, orgID, c, p.store())
}

// ListPurchaseItems lists the organization's purchase items.
func (s *Service) ListPurchaseItems(ctx context.Context, orgID int64, f PurchaseItemFilter, p Page) ([]waybill.PurchaseItem, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("purchase_id", f.PurchaseIDs)
	return s.Store.Read().PurchaseItems(ctx, orgID, c, p.store())
}

// ListDropshipments lists the organization's dropshipments.
func (s *Service) ListDropshipments(ctx context.Context, orgID int64, f DropshipmentFilter, p Page) ([]waybill.Dropshipment, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("sale_id", f.SaleIDs)
	c.ids("purchase_id", f.PurchaseIDs)
	c.strs("tracking_number", f.TrackingNumbers)
	if !f.CreatedSince.IsZero() {
		c = append(c, store.Since("created_at", f.CreatedSince))
	}
	return s.Store.Read().Dropshipments(ctx, orgID, c, p.store())
}

// ListDropshipmentItems lists the organization's dropshipment items.
func (s *Service) ListDropshipmentItems(ctx context.Context, orgID int64, f DropshipmentItemFilter, p Page) ([]waybill.DropshipmentItem, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("dropshipment_id", f.DropshipmentIDs)
	return s.Store.Read().DropshipmentItems(ctx, orgID, c, p.store())
}

// ListProviders lists the organization's dropship providers.
func (s *Service) ListProviders(ctx context.Context, orgID int64, f ProviderFilter, p Page) ([]waybill.DropshipProvider, error) {
	var c conds
	c.ids("id", f.IDs)
	return s.Store.Read().Providers(ctx, orgID, c, p.store())
}

// ListVariants lists the organization's variants.
func (s *Service) ListVariants(ctx context.Context, orgID int64, f VariantFilter, p Page) ([]waybill.Variant, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("channel_id", f.ChannelIDs)
	c.strs("sku", f.SKUs)
	c.strs("external_id", f.ExternalIDs)
	return s.Store.Read().Variants(ctx, orgID, c, p.store())
}

// conds builds a store listing's conditions from a filter's fields.
type conds []store.Cond

func (c *conds) ids(col string, v []int64) {
	if v != nil {
		*c = append(*c, store.Cond{Column: col, Values: store.IDs(v...)})
	}
}

func (c *conds) strs(col string, v []string) {
	if v != nil {
		vals := make([]any, len(v))
		for i, s := range v {
			vals[i] = s
		}
		*c = append(*c, store.Cond{Column: col, Values: vals})
	}
}

func (p Page) store() store.Page { return store.Page{Limit: p.Limit, Offset: p.Offset} }
