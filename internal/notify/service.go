package notify

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Enqueuer schedules notification attempts inside a store transaction.
type Enqueuer interface {
	EnqueueNotification(ctx context.Context, tx *sql.Tx, orgID, notificationID int64, attempt int, at time.Time) error
}

// EmailSender sends one email; *SMTPSender is one.
type EmailSender interface {
	MessageID(key, recipient string) string
	Send(ctx context.Context, e Email) (string, error)
}

// TextSender sends one text message; *SMSSender is one.
type TextSender interface {
	Send(ctx context.Context, to, body string) (string, error)
}

// EventWriter records events and their webhook deliveries in a
// transaction; webhook.Service is one.
type EventWriter interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

var (
	_ EmailSender = (*SMTPSender)(nil)
	_ TextSender  = (*SMSSender)(nil)
)

// Service decides customer notifications and sends them. It is safe for
// concurrent use.
type Service struct {
	Store *store.Store
	Queue Enqueuer
	// Email and SMS send messages; a nil sender records the messages of its
	// channel as not sent ("not_sent: no provider").
	Email EmailSender
	SMS   TextSender
	// PageURL is the link to a tracking's hosted page that every message
	// carries.
	PageURL func(t waybill.Tracking) string
	// ReturnPageURL is the link to a return's page that a return's
	// messages carry.
	ReturnPageURL func(r waybill.Return) string
	// PublicURL is where the unsubscribe links point (PublicURL/u/{token}).
	PublicURL string
	// Events, when set, hears notification.sent and notification.failed.
	Events   EventWriter
	Schedule []time.Duration // DefaultSchedule when nil
	Now      func() time.Time
	Logger   *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) schedule() []time.Duration {
	if s.Schedule != nil {
		return s.Schedule
	}
	return DefaultSchedule
}

// UnsubscribeURL is the one-click link of a notification.
func (s *Service) UnsubscribeURL(token string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/u/" + token
}

// Settings returns the organization's rules, DefaultSettings until it
// stores its own.
func (s *Service) Settings(ctx context.Context, orgID int64) (waybill.NotificationSettings, error) {
	return settings(ctx, s.Store.Read(), orgID)
}

func settings(ctx context.Context, q *store.Queries, orgID int64) (waybill.NotificationSettings, error) {
	st, ok, err := q.NotificationSettings(ctx, orgID)
	if err != nil || !ok {
		return DefaultSettings(), err
	}
	return st, nil
}

// maxDelay bounds an organization's delay.
const maxDelay = 7 * 24 * time.Hour

// PutSettings validates and stores the organization's rules.
func (s *Service) PutSettings(ctx context.Context, orgID int64, st waybill.NotificationSettings) (waybill.NotificationSettings, error) {
	seen := map[waybill.Tag]bool{}
	var statuses []waybill.Tag
	for _, t := range st.Statuses {
		if !Notifies(t) {
			return st, waybill.Invalid(waybill.ReasonFieldInvalid, "statuses: %q does not notify; use InfoReceived, InTransit, OutForDelivery, AvailableForPickup, AttemptFail, Delivered or Exception.", t)
		}
		if !seen[t] {
			seen[t] = true
			statuses = append(statuses, t)
		}
	}
	if st.Delay < 0 || st.Delay > maxDelay || st.Delay%time.Minute != 0 {
		return st, waybill.Invalid(waybill.ReasonFieldInvalid, "delay_minutes must be a whole number of minutes from 0 to %d.", int(maxDelay/time.Minute))
	}
	st.Statuses = append([]waybill.Tag{}, statuses...)
	st.UpdatedAt = s.now()
	return st, s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutNotificationSettings(ctx, orgID, st)
	})
}

// Dispatch decides the notifications of events, inside the transaction
// of the change that caused them, so a change and its messages commit
// together or not at all:
//   - a tracking_update: for every recipient that is due (see Due) a
//     notification and the job that sends it; a (tracking, status,
//     recipient) already notified is skipped;
//   - a return event (return.approved …) carrying its return: the
//     shopper's email, when the organization sends emails and the shopper
//     has not unsubscribed from the return; a (return, event, recipient)
//     already notified is skipped.
//
// It has the shape of tracking.Dispatcher.
func (s *Service) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	var st *waybill.NotificationSettings
	for _, e := range events {
		tracked := e.Type == waybill.EventTrackingUpdate && Notifies(e.Tag) && e.Tracking != nil
		returned := e.Return != nil && returnKey(waybill.Tag(e.Type))
		if !tracked && !returned {
			continue
		}
		if st == nil {
			loaded, err := settings(ctx, tx.Queries, e.OrgID)
			if err != nil {
				return err
			}
			st = &loaded
		}
		if returned {
			if err := s.dispatchReturn(ctx, tx, e, *st); err != nil {
				return err
			}
			continue
		}
		now := s.now()
		for _, r := range Due(e, *st) {
			n := waybill.Notification{OrgID: e.OrgID, TrackingID: e.TrackingID, EventID: e.ID, Status: e.Tag,
				Channel: r.Channel, Recipient: r.Address, Language: MatchLanguage(e.Tracking.Language),
				Delayed: st.Delay > 0, DueAt: now.Add(st.Delay), State: waybill.NotificationPending, CreatedAt: now}
			seq, inserted, err := tx.InsertNotification(ctx, &n)
			if err != nil {
				return err
			}
			if !inserted {
				continue
			}
			if err := s.Queue.EnqueueNotification(ctx, tx.SQL(), e.OrgID, seq, 1, n.DueAt); err != nil {
				return err
			}
		}
	}
	return nil
}

// Filter narrows a list of notifications; zero fields do not.
type Filter struct {
	TrackingID string
	ReturnID   string
	State      string
	Since      time.Time
	Limit      int // 100 when zero; at most 1000
}

// List returns the organization's notifications, newest first.
func (s *Service) List(ctx context.Context, orgID int64, f Filter) ([]waybill.Notification, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = min(max(f.Limit, 100), 1000)
	}
	return s.Store.Read().Notifications(ctx, orgID, store.NotificationFilter{TrackingID: f.TrackingID, ReturnID: f.ReturnID, State: f.State, Since: f.Since, Limit: f.Limit})
}

// After returns the dispatcher of a status change's events: first (the
// webhook service, which gives each event its id) and then s, in the same
// transaction. It has the shape of tracking.Dispatcher.
func (s *Service) After(first EventWriter) EventWriter { return chain{first, s} }

type chain []EventWriter

func (c chain) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	for _, d := range c {
		if err := d.Dispatch(ctx, tx, events...); err != nil {
			return err
		}
	}
	return nil
}
