package waybill

import "time"

// OnportConnection links an organization to its own Onport account: Waybill
// acts as that account's tracking integration. Its token is kept only
// sealed (SealedToken, see internal/secretbox) and is never shown again;
// HookToken names the connection in the webhook URLs pasted into Onport and
// is as unguessable as an API key.
type OnportConnection struct {
	ID               string // public, random
	OrgID            int64
	APIURL           string // e.g. https://api.jetti.io
	SealedToken      string
	HookToken        string
	ChannelID        int64 // the channel the account's sales are kept under
	WriteTrackingURL bool  // set each dropshipment's trackingUrl to its Waybill page
	WriteEvents      bool  // post status changes to Onport as tracking events
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// OnportLink records which Waybill dropshipment (and tracking) an Onport
// dropshipment of a connection became, so that a repeat updates it.
type OnportLink struct {
	ConnectionID   string
	RemoteID       int64 // the dropshipment's id in Onport
	OrgID          int64
	DropshipmentID int64
	TrackingID     string
	UpdatedAt      time.Time
}

// Onport tracking event statuses (REFERENCE.md §3).
const (
	OnportPreTransit = "pre_transit"
	OnportTransit    = "transit"
	OnportDelivered  = "delivered"
	OnportReturned   = "returned"
	OnportFailure    = "failure"
	OnportUnknown    = "unknown"
)

// OnportStatuses are the statuses a tracking event may have.
var OnportStatuses = []string{OnportPreTransit, OnportTransit, OnportDelivered, OnportReturned, OnportFailure, OnportUnknown}

// OnportSubStatuses are the sub-statuses a tracking event may have ("" for
// none).
var OnportSubStatuses = []string{"", "information_received", "out_for_delivery", "delivery_attempted", "pickup_available",
	"return_to_sender", "in_transit", "delivered", "exception", "expired"}

// DropshipmentTrackingEvent is a carrier status posted to a dropshipment
// (Onport's tracking events), once per TransactionID.
type DropshipmentTrackingEvent struct {
	ID             int64
	OrgID          int64
	DropshipmentID int64
	TransactionID  string
	Status         string
	SubStatus      string
	StatusAt       time.Time
	Details        string
	City           string
	State          string
	Zip            string
	Country        string
	ActionRequired bool
	CreatedAt      time.Time
}

// OnportStatusOf maps a Waybill tag and subtag to Onport's tracking event
// status and sub-status.
func OnportStatusOf(tag Tag, subtag string) (status, subStatus string) {
	switch tag {
	case TagInfoReceived:
		return OnportPreTransit, "information_received"
	case TagPending:
		return OnportPreTransit, ""
	case TagInTransit:
		return OnportTransit, "in_transit"
	case TagOutForDelivery:
		return OnportTransit, "out_for_delivery"
	case TagAttemptFail:
		return OnportTransit, "delivery_attempted"
	case TagAvailableForPickup:
		return OnportTransit, "pickup_available"
	case TagDelivered:
		return OnportDelivered, "delivered"
	case TagException:
		if subtag == "Exception_011" || subtag == "Exception_012" {
			return OnportReturned, "return_to_sender"
		}
		return OnportFailure, "exception"
	case TagExpired:
		return OnportUnknown, "expired"
	}
	return OnportUnknown, ""
}
