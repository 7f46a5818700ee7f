package waybill

import "time"

// InboundFilter selects entries of the API logs (the organization's
// inbound messages and their outcome). Zero fields select everything.
type InboundFilter struct {
	ChannelID  int64
	Status     string // InboundPending, InboundDone or InboundFailed
	Kind       string
	ExternalID string
	Since      time.Time // received at or after
	Until      time.Time // received before
	Limit      int       // 0 means the default page (100)
	Offset     int
}
