package commerce

import (
	"context"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// VendorSKUInput links a SKU to a vendor's SKU.
type VendorSKUInput struct {
	VendorSKU                  string
	DropshipProviderExternalID string
}

// VariantInput is one variant of a product import.
type VariantInput struct {
	SKU               string
	ExternalID        string
	Name              string
	Price             *float64
	ProductExternalID string
	ProductName       string
	VendorSKUs        []VendorSKUInput
}

// VariantImport creates or updates a channel's variants by SKU (Onport's
// product import). The vendor SKUs it names become connected.
type VariantImport struct {
	Variants []VariantInput
}

// SKUBatchEntry is one entry of an acknowledge or disconnect batch.
type SKUBatchEntry struct {
	SKU        string
	VendorSKUs []VendorSKUInput
}

// VendorSKUBatch acknowledges (or, with Disconnect, disconnects) vendor SKUs
// of the channel's variants. A SKU the channel does not have fails the
// whole batch.
type VendorSKUBatch struct {
	Disconnect bool
	Entries    []SKUBatchEntry
}

const maxBatch = 1000

// Validate trims the SKUs and reports every problem of the import.
func (in *VariantImport) Validate() error {
	var p problems
	checkClean(&p, in)
	if len(in.Variants) == 0 {
		p.add("the import has no variants")
	}
	if len(in.Variants) > maxBatch {
		p.add("the import has more than %d variants", maxBatch)
	}
	seen := map[string]bool{}
	for i := range in.Variants {
		v := &in.Variants[i]
		f := fmt.Sprintf("[%d]", i)
		v.SKU = strings.TrimSpace(v.SKU)
		switch {
		case v.SKU == "":
			p.add("%s.sku is required", f)
		case len(v.SKU) > maxIDLen:
			p.add("%s.sku is longer than %d characters", f, maxIDLen)
		case seen[v.SKU]:
			p.add("%s.sku %q appears twice", f, v.SKU)
		}
		seen[v.SKU] = true
		if len(v.ExternalID) > maxIDLen || len(v.ProductExternalID) > maxIDLen || len(v.Name) > maxText || len(v.ProductName) > maxText {
			p.add("%s has a field over its length limit", f)
		}
		if v.Price != nil && !validPrice(*v.Price) {
			p.add("%s.price must be a number between 0 and %g", f, maxPrice)
		}
		checkVendorSKUs(&p, f, v.VendorSKUs)
	}
	return p.err()
}

func (in *VariantImport) apply(ctx context.Context, s *Service, tx *store.Tx, ch waybill.Channel) (*waybill.InboundResult, error) {
	return s.importVariants(ctx, tx, ch, in.Variants)
}

func checkVendorSKUs(p *problems, f string, vs []VendorSKUInput) {
	if len(vs) > 50 {
		p.add("%s.vendorSkus has more than 50 entries", f)
	}
	for j, v := range vs {
		g := fmt.Sprintf("%s.vendorSkus[%d]", f, j)
		if strings.TrimSpace(v.DropshipProviderExternalID) == "" {
			p.add("%s.dropshipProviderExternalId is required", g)
		}
		if len(v.VendorSKU) > maxIDLen || len(v.DropshipProviderExternalID) > maxIDLen {
			p.add("%s has a field over its length limit", g)
		}
	}
}

// Validate trims the SKUs and reports every problem of the batch.
func (in *VendorSKUBatch) Validate() error {
	var p problems
	checkClean(&p, in)
	if len(in.Entries) == 0 {
		p.add("the batch is empty")
	}
	if len(in.Entries) > maxBatch {
		p.add("the batch has more than %d entries", maxBatch)
	}
	for i := range in.Entries {
		e := &in.Entries[i]
		f := fmt.Sprintf("[%d]", i)
		e.SKU = strings.TrimSpace(e.SKU)
		switch {
		case e.SKU == "":
			p.add("%s.sku is required", f)
		case len(e.SKU) > maxIDLen:
			p.add("%s.sku is longer than %d characters", f, maxIDLen)
		}
		if len(e.VendorSKUs) == 0 {
			p.add("%s.vendorSkus must have at least one entry", f)
		}
		checkVendorSKUs(&p, f, e.VendorSKUs)
	}
	return p.err()
}

func (in *VendorSKUBatch) apply(ctx context.Context, s *Service, tx *store.Tx, ch waybill.Channel) (*waybill.InboundResult, error) {
	state := waybill.VendorSKUAcknowledged
	if in.Disconnect {
		state = waybill.VendorSKUDisconnected
	}
	return s.setVendorSKUState(ctx, tx, ch, in.Entries, state)
}

// importVariants creates or updates the channel's variants by SKU. Vendor
// SKUs it names become connected (an acknowledged one stays acknowledged).
func (s *Service) importVariants(ctx context.Context, tx *store.Tx, ch waybill.Channel, in []VariantInput) (*waybill.InboundResult, error) {
	now := s.now()
	res := &waybill.InboundResult{}
	for _, vi := range in {
		v, err := s.variantBySKU(ctx, tx, ch, vi.SKU)
		if err != nil {
			return nil, err
		}
		if v.ID == 0 {
			v = waybill.Variant{OrgID: ch.OrgID, ChannelID: ch.ID, SKU: vi.SKU, CreatedAt: now, VendorSKUs: []waybill.VendorSKU{}}
		}
		v.ExternalID = firstNonEmpty(vi.ExternalID, v.ExternalID, v.SKU)
		v.Name = firstNonEmpty(vi.Name, v.Name)
		if vi.Price != nil {
			v.Price = *vi.Price
		}
		v.ProductExternalID = firstNonEmpty(vi.ProductExternalID, v.ProductExternalID)
		v.ProductName = firstNonEmpty(vi.ProductName, v.ProductName)
		for _, vs := range vi.VendorSKUs {
			if err := s.setVendorSKU(ctx, tx, &v, vs, waybill.VendorSKUConnected); err != nil {
				return nil, err
			}
		}
		v.UpdatedAt = now
		if err := tx.SaveVariant(ctx, &v); err != nil {
			return nil, err
		}
		res.VariantIDs = append(res.VariantIDs, v.ID)
	}
	return res, nil
}

// setVendorSKUState acknowledges or disconnects vendor SKUs. An unknown SKU
// is a problem of the batch; nothing of the batch is kept then.
func (s *Service) setVendorSKUState(ctx context.Context, tx *store.Tx, ch waybill.Channel, in []SKUBatchEntry, state string) (*waybill.InboundResult, error) {
	res := &waybill.InboundResult{}
	var p problems
	for i, e := range in {
		v, err := s.variantBySKU(ctx, tx, ch, e.SKU)
		if err != nil {
			return nil, err
		}
		if v.ID == 0 {
			p.add("[%d].sku %q is not a variant of this channel", i, e.SKU)
			continue
		}
		for _, vs := range e.VendorSKUs {
			if err := s.setVendorSKU(ctx, tx, &v, vs, state); err != nil {
				return nil, err
			}
		}
		v.UpdatedAt = s.now()
		if err := tx.SaveVariant(ctx, &v); err != nil {
			return nil, err
		}
		res.VariantIDs = append(res.VariantIDs, v.ID)
		res.Updated++
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) variantBySKU(ctx context.Context, tx *store.Tx, ch waybill.Channel, sku string) (waybill.Variant, error) {
	vs, err := tx.Variants(ctx, ch.OrgID, []store.Cond{{Column: "channel_id", Values: store.IDs(ch.ID)}, {Column: "sku", Values: []any{sku}}}, store.Page{Limit: 1})
	if err != nil || len(vs) == 0 {
		return waybill.Variant{}, err
	}
	return vs[0], nil
}

// setVendorSKU records a vendor SKU of v in state. Importing again does
// not undo an acknowledgement.
func (s *Service) setVendorSKU(ctx context.Context, tx *store.Tx, v *waybill.Variant, in VendorSKUInput, state string) error {
	ext := strings.TrimSpace(in.DropshipProviderExternalID)
	prov, err := tx.EnsureProvider(ctx, v.OrgID, ext, "", s.now())
	if err != nil {
		return err
	}
	for i := range v.VendorSKUs {
		vs := &v.VendorSKUs[i]
		if vs.DropshipProviderID == prov.ID && vs.VendorSKU == in.VendorSKU {
			if !(state == waybill.VendorSKUConnected && vs.State == waybill.VendorSKUAcknowledged) {
				vs.State = state
			}
			return nil
		}
	}
	v.VendorSKUs = append(v.VendorSKUs, waybill.VendorSKU{VendorSKU: in.VendorSKU, DropshipProviderExternalID: ext,
		DropshipProviderID: prov.ID, State: state})
	return nil
}
