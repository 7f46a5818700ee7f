package notify

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// DispatchStoredReturnEvent decides the shopper's email about a return
// change already recorded as event eventID of orgID, in a transaction of
// its own. It is the handler of the send_return_email jobs that releases
// before return emails became notifications queued, so that none of them
// is dropped by an upgrade. Deciding an event twice is harmless: a
// (return, change, recipient) already notified is skipped. An event that
// is gone, or is not a return change, decides nothing.
func (s *Service) DispatchStoredReturnEvent(ctx context.Context, orgID int64, eventID string) error {
	e, _, err := s.Store.Read().Event(ctx, orgID, eventID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if e.Return == nil || !returnKey(waybill.Tag(e.Type)) {
		return nil
	}
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return s.Dispatch(ctx, tx, e) })
}
