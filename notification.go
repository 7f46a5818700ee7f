package waybill

import "time"

// Notification channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Notification states. A notification is decided pending and ends in one
// of the others exactly once.
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"   // the provider refused it, or retries ran out
	NotificationNotSent = "not_sent" // no provider is configured for its channel
	NotificationSkipped = "skipped"  // the status changed during the delay, or the recipient left
)

// Notification is one message to one recipient about one status of a
// tracking, or one change of a return: decided in the transaction of the
// change, then sent by a job. There is at most one per (tracking or
// return, status, recipient).
type Notification struct {
	ID         string // public, random
	OrgID      int64
	TrackingID string // the tracking it is about; "" for a return's
	ReturnID   string // the return it is about; "" for a tracking's
	EventID    string // the tracking_update or return event that caused it
	// Status is the tracking status announced, or for a return the event
	// of its change (return.approved).
	Status    Tag
	Channel   string // ChannelEmail or ChannelSMS
	Recipient string
	Language  string
	// Delayed is set when the organization's delay applies: the message
	// goes out at DueAt only if the tracking still has Status.
	Delayed bool
	DueAt   time.Time

	State      string
	Template   string // which template rendered it: "default" or "custom"
	ProviderID string // the SMS provider's message id
	MessageID  string // the email's Message-ID
	Attempts   int
	LastError  string
	// UnsubscribeToken reaches the one-click unsubscribe of this recipient
	// from this tracking; random, unguessable.
	UnsubscribeToken string

	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    time.Time
}

// NotificationSettings are an organization's notification rules.
type NotificationSettings struct {
	// Statuses that notify; a subset of the notifying statuses.
	Statuses []Tag
	Email    bool // send emails
	SMS      bool // send SMS
	// Delay holds each message back this long, then sends it only if the
	// tracking still has the status it announces; zero sends at once.
	Delay     time.Duration
	UpdatedAt time.Time
}

// NotificationTemplate is an organization's own template for one status
// and language, replacing the default.
type NotificationTemplate struct {
	Status    Tag
	Language  string
	Subject   string
	HTML      string
	Text      string
	SMS       string
	UpdatedAt time.Time
}

// Notification events, for webhook subscribers that ask for them.
const (
	EventNotificationSent   = "notification.sent"
	EventNotificationFailed = "notification.failed"
)
