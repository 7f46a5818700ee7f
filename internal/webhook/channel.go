package webhook

import (
	"time"

	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// ChannelHashHeader carries a channel's webhook hash on every call Waybill
// makes to that channel's fulfillment URL, as Onport's outbound calls do.
const ChannelHashHeader = "jetti-webhook-hash"

// SetChannelEndpoint makes the channel's fulfillment endpoint match
// ch.FulfillmentURL, in tx: it creates the endpoint, points it at a new
// URL, or deletes it when the URL is empty. The endpoint hears only the
// channel's dropshipment.fulfillment events and sends the channel's hash in
// the jetti-webhook-hash header. The URL passes the same checks as any
// endpoint's, private targets included.
func (s *Service) SetChannelEndpoint(ctx context.Context, tx *store.Tx, ch waybill.Channel) error {
	e, err := tx.ChannelEndpoint(ctx, ch.OrgID, ch.ID)
	exists := err == nil
	if err != nil && waybill.ErrorCode(err) != waybill.ENOTFOUND {
		return err
	}
	if ch.FulfillmentURL == "" {
		if !exists {
			return nil
		}
		return tx.DeleteEndpoint(ctx, ch.OrgID, e.ID)
	}
	if err := s.validateURL(&e, ch.FulfillmentURL, "fulfillment_url"); err != nil {
		return err
	}
	now := s.now()
	e.Headers = map[string]string{ChannelHashHeader: ch.WebhookHash}
	e.UpdatedAt = now
	if exists {
		e.Enabled, e.DisabledReason, e.FailingSince = true, "", time.Time{}
		return tx.UpdateEndpoint(ctx, &e)
	}
	secret, err := NewSecret()
	if err != nil {
		return err
	}
	e.OrgID, e.ChannelID = ch.OrgID, ch.ID
	e.Events, e.Tags, e.APIVersion, e.Enabled = []string{waybill.EventFulfillment}, []waybill.Tag{}, "v4", true
	e.Secrets = []waybill.WebhookSecret{{Secret: secret, CreatedAt: now}}
	e.CreatedAt = now
	return tx.InsertEndpoint(ctx, &e)
}
