package waybill

import "time"

// Event types. Tracking events are AfterShip's; the endpoint event is
// Waybill's own, recorded when an endpoint is switched off.
const (
	EventTrackingUpdate = "tracking_update"
	EventEDDRevise      = "edd_revise"
	// EventTrackingPendingTime is sent once per tracking to each endpoint
	// that subscribes to it, when the tracking has stayed Pending for the
	// endpoint's PendingHours since it was created.
	EventTrackingPendingTime = "tracking_pending_time"
	EventEndpointDisabled    = "webhook_endpoint_disabled"
)

// WebhookEvents lists the event types an endpoint may subscribe to.
var WebhookEvents = []string{EventTrackingUpdate, EventEDDRevise, EventTrackingPendingTime, EventSaleDropship, EventDropshipmentAcknowledged, EventFulfillment,
	EventNotificationSent, EventNotificationFailed,
	EventReturnSubmitted, EventReturnApproved, EventReturnRejected, EventReturnShipped, EventReturnReceived, EventReturnResolved, EventReturnExpired,
	EventTrackerStatusChanged}

// MaxWebhookEndpoints is how many endpoints an organization may have, as on
// AfterShip.
const MaxWebhookEndpoints = 10

// Event is something subscribers hear about. It is written in the same
// transaction as the change that caused it, and its ID (a UUID) is the
// event_id and webhook-id of every delivery, retries included.
type Event struct {
	ID         string    `json:"event_id"`
	OrgID      int64     `json:"-"`
	Type       string    `json:"event"`
	TrackingID string    `json:"tracking_id,omitempty"`
	Tag        Tag       `json:"tag,omitempty"`
	FirstTag   bool      `json:"is_tracking_first_tag"`
	Tracking   *Tracking `json:"tracking,omitempty"` // the tracking as it was when the event happened
	Detail     string    `json:"detail,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// ChannelID is the commerce channel the event is about, 0 for none.
	// Only that channel's own endpoint (and the organization's) hear it.
	ChannelID int64 `json:"-"`
	// Notification is the message a notification.sent or
	// notification.failed event is about, its recipient already masked.
	Notification *Notification `json:"notification,omitempty"`
	// EndpointID, when set, is the one endpoint the event is for (a
	// tracking_pending_time, whose threshold is the endpoint's own).
	EndpointID string `json:"-"`
	// Return is the whole return a return.* event is about, as it was
	// when the event happened. Faces render it in their own form.
	Return *Return `json:"-"`
}

// WebhookEndpoint is a URL that receives an organization's events.
type WebhookEndpoint struct {
	ID             string          `json:"id"`
	OrgID          int64           `json:"-"`
	URL            string          `json:"url"`
	Events         []string        `json:"events"`
	Tags           []Tag           `json:"tags"`
	APIVersion     string          `json:"api_version"`
	Secrets        []WebhookSecret `json:"-"`
	Enabled        bool            `json:"enabled"`
	DisabledReason string          `json:"disabled_reason"`
	FailingSince   time.Time       `json:"failing_since"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	// ChannelID is set on a channel's fulfillment endpoint: it hears only
	// that channel's events, is managed through the channel rather than
	// /v1/webhooks, and does not count towards MaxWebhookEndpoints.
	ChannelID int64 `json:"-"`
	// Headers are sent, as they are, with every delivery to the endpoint
	// (a channel endpoint's jetti-webhook-hash).
	Headers map[string]string `json:"-"`
	// PendingHours is the endpoint's threshold for tracking_pending_time:
	// a tracking still Pending this many hours after it was created is
	// announced to it, once. 0 when not set.
	PendingHours int `json:"pending_hours"`
}

// Pending-time thresholds an endpoint may choose, in hours, and the one
// it gets when it subscribes without choosing.
const (
	MinPendingHours     = 1
	MaxPendingHours     = 720
	DefaultPendingHours = 24
)

// WebhookSecret is one signing secret of an endpoint. During a rotation the
// old secret keeps signing until ExpiresAt.
type WebhookSecret struct {
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// ActiveSecrets returns the secrets that sign at now, newest first.
func (e WebhookEndpoint) ActiveSecrets(now time.Time) []string {
	var out []string
	for i := len(e.Secrets) - 1; i >= 0; i-- {
		s := e.Secrets[i]
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			out = append(out, s.Secret)
		}
	}
	return out
}

// Receives reports whether the endpoint should be sent the event: it
// subscribes to it (Wants), a channel endpoint hears only its channel, and
// an event for one endpoint (EndpointID) only that endpoint hears.
func (e WebhookEndpoint) Receives(ev Event) bool {
	if e.ChannelID != 0 && e.ChannelID != ev.ChannelID {
		return false
	}
	if ev.EndpointID != "" && ev.EndpointID != e.ID {
		return false
	}
	return e.Wants(ev.Type, ev.Tag)
}

// Wants reports whether the endpoint subscribes to an event of this type
// and tag. No tags means every tag.
func (e WebhookEndpoint) Wants(eventType string, tag Tag) bool {
	if !e.Enabled {
		return false
	}
	typeOK := false
	for _, t := range e.Events {
		if t == eventType {
			typeOK = true
		}
	}
	if !typeOK {
		return false
	}
	if len(e.Tags) == 0 || eventType != EventTrackingUpdate {
		return true
	}
	for _, t := range e.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// DeliveryAttempt records one try at delivering an event to an endpoint.
type DeliveryAttempt struct {
	ID              int64         `json:"id"`
	EndpointID      string        `json:"endpoint_id"`
	EventID         string        `json:"event_id"`
	Attempt         int           `json:"attempt"`
	StatusCode      int           `json:"status_code"`
	Outcome         string        `json:"outcome"` // success, retry, gone, failed
	Latency         time.Duration `json:"-"`
	LatencyMS       float64       `json:"latency_ms"`
	Error           string        `json:"error,omitempty"`
	ResponseExcerpt string        `json:"response_excerpt,omitempty"`
	CreatedAt       time.Time     `json:"created_at"`
}
