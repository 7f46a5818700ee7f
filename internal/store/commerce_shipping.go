package store

import (
	"context"
	"fmt"

	"github.com/waybillhq/waybill"
)

// --- purchases ---

const purchaseCols = "id, org_id, sale_id, dropship_provider_id, reference, status, created_at, updated_at"

func scanPurchase(r scanner) (waybill.Purchase, error) {
	var p waybill.Purchase
	var created, updated int64
	if err := r.Scan(&p.ID, &p.OrgID, &p.SaleID, &p.DropshipProviderID, &p.Reference, &p.Status, &created, &updated); err != nil {
		return p, fmt.Errorf("read purchase: %w", err)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return p, nil
}

// Purchases lists the organization's purchases.
func (q *Queries) Purchases(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Purchase, error) {
	return listRows(ctx, q, "purchases", purchaseCols, scanPurchase, orgID, conds, p)
}

// Purchase returns one purchase, or ENOTFOUND.
func (q *Queries) Purchase(ctx context.Context, orgID, id int64) (waybill.Purchase, error) {
	return getRow(ctx, q, "purchases", purchaseCols, scanPurchase, orgID, id, "Purchase")
}

// SavePurchase inserts p when p.ID is 0 (setting it) and updates its status
// otherwise.
func (q *Queries) SavePurchase(ctx context.Context, p *waybill.Purchase) error {
	if p.ID == 0 {
		id, err := insertID(ctx, q, "purchase", `INSERT INTO purchases (org_id, sale_id, dropship_provider_id, reference, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.OrgID, p.SaleID, p.DropshipProviderID, p.Reference, p.Status, toMicros(p.CreatedAt), toMicros(p.UpdatedAt))
		p.ID = id
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE purchases SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4`,
		p.Status, toMicros(p.UpdatedAt), p.OrgID, p.ID); err != nil {
		return fmt.Errorf("update purchase %d: %w", p.ID, err)
	}
	return nil
}

const purchaseItemCols = "id, org_id, purchase_id, sale_item_id, quantity, created_at"

func scanPurchaseItem(r scanner) (waybill.PurchaseItem, error) {
	var it waybill.PurchaseItem
	var created int64
	if err := r.Scan(&it.ID, &it.OrgID, &it.PurchaseID, &it.SaleItemID, &it.Quantity, &created); err != nil {
		return it, fmt.Errorf("read purchase item: %w", err)
	}
	it.CreatedAt = fromMicros(created)
	return it, nil
}

// PurchaseItems lists the organization's purchase items.
func (q *Queries) PurchaseItems(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.PurchaseItem, error) {
	return listRows(ctx, q, "purchase_items", purchaseItemCols, scanPurchaseItem, orgID, conds, p)
}

// SavePurchaseItem inserts it when it.ID is 0 and updates its quantity otherwise.
func (q *Queries) SavePurchaseItem(ctx context.Context, it *waybill.PurchaseItem) error {
	if it.ID == 0 {
		id, err := insertID(ctx, q, "purchase item", `INSERT INTO purchase_items (org_id, purchase_id, sale_item_id, quantity, created_at)
			VALUES ($1, $2, $3, $4, $5)`, it.OrgID, it.PurchaseID, it.SaleItemID, it.Quantity, toMicros(it.CreatedAt))
		it.ID = id
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE purchase_items SET quantity = $1 WHERE org_id = $2 AND id = $3`,
		it.Quantity, it.OrgID, it.ID); err != nil {
		return fmt.Errorf("update purchase item %d: %w", it.ID, err)
	}
	return nil
}

// --- dropshipments ---

const dropshipmentCols = "id, org_id, sale_id, purchase_id, tracking_number, tracking_id, acknowledged_at, doc, created_at, updated_at"

func scanDropshipment(r scanner) (waybill.Dropshipment, error) {
	var d waybill.Dropshipment
	var id, org, sale, purchase, acked, created, updated int64
	var number, trackingID, doc string
	if err := r.Scan(&id, &org, &sale, &purchase, &number, &trackingID, &acked, &doc, &created, &updated); err != nil {
		return d, fmt.Errorf("read dropshipment: %w", err)
	}
	if err := decodeDoc(doc, &d); err != nil {
		return d, err
	}
	d.ID, d.OrgID, d.SaleID, d.PurchaseID, d.TrackingNumber, d.TrackingID = id, org, sale, purchase, number, trackingID
	d.AcknowledgedAt, d.CreatedAt, d.UpdatedAt = fromMicros(acked), fromMicros(created), fromMicros(updated)
	return d, nil
}

// Dropshipments lists the organization's dropshipments.
func (q *Queries) Dropshipments(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Dropshipment, error) {
	return listRows(ctx, q, "dropshipments", dropshipmentCols, scanDropshipment, orgID, conds, p)
}

// Dropshipment returns one dropshipment, or ENOTFOUND.
func (q *Queries) Dropshipment(ctx context.Context, orgID, id int64) (waybill.Dropshipment, error) {
	return getRow(ctx, q, "dropshipments", dropshipmentCols, scanDropshipment, orgID, id, "Dropshipment")
}

// SaveDropshipment inserts d when d.ID is 0 (setting it) and updates it otherwise.
func (q *Queries) SaveDropshipment(ctx context.Context, d *waybill.Dropshipment) error {
	doc, err := encodeDoc(d)
	if err != nil {
		return err
	}
	if d.ID == 0 {
		id, err := insertID(ctx, q, "dropshipment", `INSERT INTO dropshipments (org_id, sale_id, purchase_id, tracking_number, tracking_id,
			acknowledged_at, doc, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.OrgID, d.SaleID, d.PurchaseID, d.TrackingNumber, d.TrackingID, toMicros(d.AcknowledgedAt), doc, toMicros(d.CreatedAt), toMicros(d.UpdatedAt))
		d.ID = id
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE dropshipments SET tracking_number = $1, tracking_id = $2, acknowledged_at = $3, doc = $4,
		updated_at = $5 WHERE org_id = $6 AND id = $7`, d.TrackingNumber, d.TrackingID, toMicros(d.AcknowledgedAt), doc,
		toMicros(d.UpdatedAt), d.OrgID, d.ID); err != nil {
		return fmt.Errorf("update dropshipment %d: %w", d.ID, err)
	}
	return nil
}

const dropshipmentItemCols = "id, org_id, dropshipment_id, sale_item_id, purchase_item_id, quantity, created_at"

func scanDropshipmentItem(r scanner) (waybill.DropshipmentItem, error) {
	var it waybill.DropshipmentItem
	var created int64
	if err := r.Scan(&it.ID, &it.OrgID, &it.DropshipmentID, &it.SaleItemID, &it.PurchaseItemID, &it.Quantity, &created); err != nil {
		return it, fmt.Errorf("read dropshipment item: %w", err)
	}
	it.CreatedAt = fromMicros(created)
	return it, nil
}

// DropshipmentItems lists the organization's dropshipment items.
func (q *Queries) DropshipmentItems(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.DropshipmentItem, error) {
	return listRows(ctx, q, "dropshipment_items", dropshipmentItemCols, scanDropshipmentItem, orgID, conds, p)
}

// InsertDropshipmentItem stores it and sets it.ID.
func (q *Queries) InsertDropshipmentItem(ctx context.Context, it *waybill.DropshipmentItem) error {
	id, err := insertID(ctx, q, "dropshipment item", `INSERT INTO dropshipment_items (org_id, dropshipment_id, sale_item_id, purchase_item_id, quantity, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, it.OrgID, it.DropshipmentID, it.SaleItemID, it.PurchaseItemID, it.Quantity, toMicros(it.CreatedAt))
	it.ID = id
	return err
}

// --- variants ---

const variantCols = "id, org_id, channel_id, sku, external_id, doc, created_at, updated_at"

func scanVariant(r scanner) (waybill.Variant, error) {
	var v waybill.Variant
	var id, org, channel, created, updated int64
	var sku, ext, doc string
	if err := r.Scan(&id, &org, &channel, &sku, &ext, &doc, &created, &updated); err != nil {
		return v, fmt.Errorf("read variant: %w", err)
	}
	if err := decodeDoc(doc, &v); err != nil {
		return v, err
	}
	v.ID, v.OrgID, v.ChannelID, v.SKU, v.ExternalID = id, org, channel, sku, ext
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return v, nil
}

// Variants lists the organization's variants.
func (q *Queries) Variants(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Variant, error) {
	return listRows(ctx, q, "variants", variantCols, scanVariant, orgID, conds, p)
}

// Variant returns one variant, or ENOTFOUND.
func (q *Queries) Variant(ctx context.Context, orgID, id int64) (waybill.Variant, error) {
	return getRow(ctx, q, "variants", variantCols, scanVariant, orgID, id, "Variant")
}

// SaveVariant inserts v when v.ID is 0 (setting it) and updates it otherwise.
func (q *Queries) SaveVariant(ctx context.Context, v *waybill.Variant) error {
	doc, err := encodeDoc(v)
	if err != nil {
		return err
	}
	if v.ID == 0 {
		id, err := insertID(ctx, q, "variant", `INSERT INTO variants (org_id, channel_id, sku, external_id, doc, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.OrgID, v.ChannelID, v.SKU, v.ExternalID, doc, toMicros(v.CreatedAt), toMicros(v.UpdatedAt))
		v.ID = id
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE variants SET external_id = $1, doc = $2, updated_at = $3 WHERE org_id = $4 AND id = $5`,
		v.ExternalID, doc, toMicros(v.UpdatedAt), v.OrgID, v.ID); err != nil {
		return fmt.Errorf("update variant %d: %w", v.ID, err)
	}
	return nil
}
