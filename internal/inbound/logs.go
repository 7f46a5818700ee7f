package inbound

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Logs reads the API logs: the organization's inbound messages with their
// outcome, newest first.
type Logs struct {
	Store *store.Store
}

// APILogs lists the organization's inbound messages that f selects.
func (l Logs) APILogs(ctx context.Context, orgID int64, f waybill.InboundFilter) ([]waybill.InboundMessage, error) {
	return l.Store.Read().InboundLogs(ctx, orgID, store.InboundFilter{
		ChannelID: f.ChannelID, Status: f.Status, Kind: f.Kind, ExternalID: f.ExternalID,
		Since: f.Since, Until: f.Until, Limit: f.Limit, Offset: f.Offset,
	})
}
