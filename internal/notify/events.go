package notify

import (
	"context"
	"fmt"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// emit writes notification.sent or notification.failed for a finished
// notification, when the service has an event writer.
func (s *Service) emit(ctx context.Context, tx *store.Tx, n waybill.Notification) error {
	if s.Events == nil {
		return nil
	}
	var typ string
	switch n.State {
	case waybill.NotificationSent:
		typ = waybill.EventNotificationSent
	case waybill.NotificationFailed:
		typ = waybill.EventNotificationFailed
	default:
		return nil
	}
	detail := fmt.Sprintf("%s %s to %s about %s (notification %s)", n.Channel, n.State, MaskRecipient(n.Channel, n.Recipient), n.Status, n.ID)
	if n.LastError != "" {
		detail += ": " + n.LastError
	}
	// The event is stored and sent to webhook subscribers: it carries the
	// recipient masked and no unsubscribe token.
	shown := n
	shown.Recipient, shown.UnsubscribeToken = MaskRecipient(n.Channel, n.Recipient), ""
	return s.Events.Dispatch(ctx, tx, waybill.Event{OrgID: n.OrgID, Type: typ, TrackingID: n.TrackingID, Tag: n.Status,
		Detail: detail, Notification: &shown, CreatedAt: n.UpdatedAt})
}
