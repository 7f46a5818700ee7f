package returns

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// recordReturned tells the Onport sale of a return what came back: the
// sale's and its items' returnStatus and quantityReturned, in the
// transaction that records the receipt.
func (s *Service) recordReturned(ctx context.Context, tx *store.Tx, r *waybill.Return) error {
	if r.SaleID == 0 {
		return nil
	}
	sale, err := tx.Sale(ctx, r.OrgID, r.SaleID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	items, err := tx.SaleItems(ctx, r.OrgID, []store.Cond{{Column: "sale_id", Values: []any{sale.ID}}}, store.Page{})
	if err != nil {
		return err
	}
	// What every return of the order received, by line: the transaction
	// sees this return's own receipt.
	rs, err := tx.OrderReturns(ctx, r.OrgID, r.OrderKey)
	if err != nil {
		return err
	}
	received := map[int64]int{}
	for _, ret := range rs {
		for _, l := range ret.Lines {
			received[l.SaleItemID] += l.Received
		}
	}
	now := s.now()
	all, any := true, false
	for i := range items {
		it := &items[i]
		n := min(received[it.ID], it.Quantity)
		status := ""
		switch {
		case n > 0 && n >= it.Quantity:
			status = waybill.ReturnReturned
		case n > 0:
			status = waybill.ReturnPartiallyReturned
		}
		all, any = all && status == waybill.ReturnReturned, any || n > 0
		if n == it.QuantityReturned && status == it.ReturnStatus {
			continue
		}
		it.QuantityReturned, it.ReturnStatus, it.UpdatedAt = n, status, now
		if err := tx.SaveSaleItem(ctx, it); err != nil {
			return err
		}
	}
	status := ""
	switch {
	case any && all:
		status = waybill.ReturnReturned
	case any:
		status = waybill.ReturnPartiallyReturned
	}
	if status == sale.ReturnStatus {
		return nil
	}
	sale.ReturnStatus, sale.UpdatedAt = status, now
	return tx.SaveSale(ctx, &sale)
}
