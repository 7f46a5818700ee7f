package notify

import (
	"context"
	"slices"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Subscription is what an unsubscribe link shows: whose messages about
// which parcel, the recipient masked.
type Subscription struct {
	StoreName string
	// TrackingNumber names the parcel: the tracking's number, or the
	// return's RMA for a return's messages.
	TrackingNumber string
	Channel        string
	Recipient      string // masked
	Language       string
	Unsubscribed   bool // the recipient no longer hears about this tracking (or return)
}

// maxToken bounds a token before it is looked up.
const maxToken = 64

// Subscription describes the recipient an unsubscribe token belongs to;
// ENOTFOUND for an unknown token or a tracking (or return) that is gone.
func (s *Service) Subscription(ctx context.Context, token string) (Subscription, error) {
	sub, _, err := s.subscription(ctx, s.Store.Read(), token)
	return sub, err
}

// Unsubscribe removes the recipient of a token's notification from that
// tracking's emails or smses and records it, in one transaction; for a
// return's notification it records that the recipient left the return's
// messages (the return keeps its email). Messages already decided for that
// recipient are then skipped. It is idempotent: a second call finds the
// recipient already gone and records nothing.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Subscription, error) {
	var sub Subscription
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var n waybill.Notification
		var err error
		if sub, n, err = s.subscription(ctx, tx.Queries, token); err != nil || sub.Unsubscribed {
			return err
		}
		if n.ReturnID != "" {
			sub.Unsubscribed = true
			return tx.InsertUnsubscribe(ctx, n, s.now())
		}
		// Read again under the row lock, so that a recipient added or
		// removed meanwhile is not undone (store's "Row locks").
		t, err := tx.TrackingForUpdate(ctx, n.OrgID, n.TrackingID)
		if err != nil {
			return err
		}
		if !subscribed(t, n) {
			sub.Unsubscribed = true
			return nil
		}
		drop := func(list []string) []string {
			return slices.DeleteFunc(slices.Clone(list), func(a string) bool { return a == n.Recipient })
		}
		if n.Channel == waybill.ChannelSMS {
			t.Smses = drop(t.Smses)
		} else {
			t.Emails = drop(t.Emails)
		}
		t.UpdatedAt = s.now()
		if err := tx.UpdateTracking(ctx, &t); err != nil {
			return err
		}
		sub.Unsubscribed = true
		return tx.InsertUnsubscribe(ctx, n, t.UpdatedAt)
	})
	return sub, err
}

func (s *Service) subscription(ctx context.Context, tx *store.Queries, token string) (Subscription, waybill.Notification, error) {
	if token == "" || len(token) > maxToken {
		return Subscription{}, waybill.Notification{}, waybill.Errorf(waybill.ENOTFOUND, "This link is not valid.")
	}
	n, err := tx.NotificationByToken(ctx, token)
	if err != nil {
		return Subscription{}, n, err
	}
	sub := Subscription{Channel: n.Channel, Recipient: MaskRecipient(n.Channel, n.Recipient), Language: n.Language}
	if n.ReturnID != "" {
		r, _, err := tx.Return(ctx, n.OrgID, n.ReturnID, false)
		if err != nil {
			return Subscription{}, n, err
		}
		sub.TrackingNumber = r.RMA
		if sub.Unsubscribed, err = tx.Unsubscribed(ctx, n.OrgID, "", n.ReturnID, n.Recipient); err != nil {
			return Subscription{}, n, err
		}
	} else {
		t, err := tx.Tracking(ctx, n.OrgID, n.TrackingID)
		if err != nil {
			return Subscription{}, n, err
		}
		sub.TrackingNumber, sub.Unsubscribed = t.TrackingNumber, !subscribed(t, n)
	}
	org, err := tx.OrgByID(ctx, n.OrgID)
	if err != nil {
		return Subscription{}, n, err
	}
	sub.StoreName = org.Name
	return sub, n, nil
}
