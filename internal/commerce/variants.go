package commerce

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// VendorSKUInput links a SKU to a vendor's SKU.
type VendorSKUInput struct {
	VendorSKU                  FlexString `json:"vendorSku"`
	DropshipProviderExternalID FlexString `json:"dropshipProviderExternalId"`
}

// VariantInput is one variant of a product import.
type VariantInput struct {
	SKU               FlexString       `json:"sku"`
	ExternalID        FlexString       `json:"externalId"`
	Name              string           `json:"name"`
	Price             *float64         `json:"price"`
	ProductExternalID FlexString       `json:"productExternalId"`
	ProductName       string           `json:"productName"`
	VendorSKUs        []VendorSKUInput `json:"vendorSkus"`
}

// SKUBatchEntry is one entry of an acknowledge or disconnect batch.
type SKUBatchEntry struct {
	SKU        FlexString       `json:"sku"`
	VendorSKUs []VendorSKUInput `json:"vendorSkus"`
}

const maxBatch = 1000

// DecodeVariantImport parses a product import: an array of variants, or an
// object {"variants": [...]}.
func DecodeVariantImport(body []byte) ([]VariantInput, error) {
	var in []VariantInput
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var wrapped struct {
			Variants []VariantInput `json:"variants"`
		}
		if err := decodeJSON(body, &wrapped); err != nil {
			return nil, err
		}
		in = wrapped.Variants
	} else if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	var p problems
	if len(in) == 0 {
		p.add("the import has no variants")
	}
	if len(in) > maxBatch {
		p.add("the import has more than %d variants", maxBatch)
	}
	seen := map[string]bool{}
	for i := range in {
		v := &in[i]
		f := fmt.Sprintf("[%d]", i)
		v.SKU = FlexString(strings.TrimSpace(string(v.SKU)))
		switch {
		case v.SKU == "":
			p.add("%s.sku is required", f)
		case len(v.SKU) > maxIDLen:
			p.add("%s.sku is longer than %d characters", f, maxIDLen)
		case seen[string(v.SKU)]:
			p.add("%s.sku %q appears twice", f, v.SKU)
		}
		seen[string(v.SKU)] = true
		if len(v.ExternalID) > maxIDLen || len(v.ProductExternalID) > maxIDLen || len(v.Name) > maxText || len(v.ProductName) > maxText {
			p.add("%s has a field over its length limit", f)
		}
		if v.Price != nil && !validPrice(*v.Price) {
			p.add("%s.price must be a number between 0 and %g", f, maxPrice)
		}
		checkVendorSKUs(&p, f, v.VendorSKUs)
	}
	return in, p.err()
}

func checkVendorSKUs(p *problems, f string, vs []VendorSKUInput) {
	if len(vs) > 50 {
		p.add("%s.vendorSkus has more than 50 entries", f)
	}
	for j, v := range vs {
		g := fmt.Sprintf("%s.vendorSkus[%d]", f, j)
		if strings.TrimSpace(string(v.DropshipProviderExternalID)) == "" {
			p.add("%s.dropshipProviderExternalId is required", g)
		}
		if len(v.VendorSKU) > maxIDLen || len(v.DropshipProviderExternalID) > maxIDLen {
			p.add("%s has a field over its length limit", g)
		}
	}
}

// DecodeVendorSKUBatch parses an acknowledge or disconnect batch:
// [{"sku", "vendorSkus": [{"vendorSku", "dropshipProviderExternalId"}]}].
func DecodeVendorSKUBatch(body []byte) ([]SKUBatchEntry, error) {
	var in []SKUBatchEntry
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	var p problems
	if len(in) == 0 {
		p.add("the batch is empty")
	}
	if len(in) > maxBatch {
		p.add("the batch has more than %d entries", maxBatch)
	}
	for i := range in {
		f := fmt.Sprintf("[%d]", i)
		in[i].SKU = FlexString(strings.TrimSpace(string(in[i].SKU)))
		if in[i].SKU == "" {
			p.add("%s.sku is required", f)
		}
		if len(in[i].VendorSKUs) == 0 {
			p.add("%s.vendorSkus must have at least one entry", f)
		}
		checkVendorSKUs(&p, f, in[i].VendorSKUs)
	}
	return in, p.err()
}

// importVariants creates or updates the channel's variants by SKU. Vendor
// SKUs it names become connected (an acknowledged one stays acknowledged).
func (s *Service) importVariants(ctx context.Context, tx *store.Tx, ch waybill.Channel, in []VariantInput) (*waybill.InboundResult, error) {
	now := s.now()
	res := &waybill.InboundResult{}
	for _, vi := range in {
		v, err := s.variantBySKU(ctx, tx, ch, string(vi.SKU))
		if err != nil {
			return nil, err
		}
		if v.ID == 0 {
			v = waybill.Variant{OrgID: ch.OrgID, ChannelID: ch.ID, SKU: string(vi.SKU), CreatedAt: now, VendorSKUs: []waybill.VendorSKU{}}
		}
		v.ExternalID = firstNonEmpty(string(vi.ExternalID), v.ExternalID, v.SKU)
		v.Name = firstNonEmpty(vi.Name, v.Name)
		if vi.Price != nil {
			v.Price = *vi.Price
		}
		v.ProductExternalID = firstNonEmpty(string(vi.ProductExternalID), v.ProductExternalID)
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
		v, err := s.variantBySKU(ctx, tx, ch, string(e.SKU))
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
	ext := strings.TrimSpace(string(in.DropshipProviderExternalID))
	prov, err := tx.EnsureProvider(ctx, v.OrgID, ext, "", s.now())
	if err != nil {
		return err
	}
	for i := range v.VendorSKUs {
		vs := &v.VendorSKUs[i]
		if vs.DropshipProviderID == prov.ID && vs.VendorSKU == string(in.VendorSKU) {
			if !(state == waybill.VendorSKUConnected && vs.State == waybill.VendorSKUAcknowledged) {
				vs.State = state
			}
			return nil
		}
	}
	v.VendorSKUs = append(v.VendorSKUs, waybill.VendorSKU{VendorSKU: string(in.VendorSKU), DropshipProviderExternalID: ext,
		DropshipProviderID: prov.ID, State: state})
	return nil
}
