package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// Send makes attempt number attempt of a notification: the handler of the
// queue's send_notification job. It is idempotent: a notification no
// longer pending, or whose attempt is already recorded, is left alone.
// A message is sent outside any transaction, then its outcome is recorded:
//   - sent, with the provider's message id (and the email's Message-ID,
//     the same at every attempt, so a repeat after a crash is recognisable);
//   - skipped, without sending, when a delayed status changed meanwhile, the
//     recipient left the tracking (or unsubscribed from the return), or
//     the tracking (or return) is gone;
//   - not_sent when no provider is configured for the channel;
//   - failed at once on a permanent failure, with the provider's answer;
//     a temporary one schedules the next attempt (Schedule), and is failed
//     when the schedule runs out.
func (s *Service) Send(ctx context.Context, orgID, seq int64, attempt int) error {
	n, err := s.Store.Read().Notification(ctx, orgID, seq)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if n.State != waybill.NotificationPending || n.Attempts >= attempt {
		return nil
	}
	var d Data
	var skip string
	if n.ReturnID != "" {
		d, skip, err = s.returnData(ctx, orgID, n)
	} else {
		d, skip, err = s.trackingData(ctx, orgID, n)
	}
	if err != nil {
		return err
	}
	if skip != "" {
		return s.finish(ctx, seq, n, attempt, waybill.NotificationSkipped, skip)
	}
	if (n.Channel == waybill.ChannelEmail && s.Email == nil) || (n.Channel == waybill.ChannelSMS && s.SMS == nil) {
		return s.finish(ctx, seq, n, attempt, waybill.NotificationNotSent, ErrNoProvider.Error())
	}
	msg, custom, err := s.render(ctx, orgID, n, d)
	if err != nil {
		return s.finish(ctx, seq, n, attempt, waybill.NotificationFailed, "render: "+err.Error())
	}
	n.Template = "default"
	if custom {
		n.Template = "custom"
	}

	var sendErr error
	switch n.Channel {
	case waybill.ChannelEmail:
		n.MessageID = s.Email.MessageID(n.ID, n.Recipient)
		_, sendErr = s.Email.Send(ctx, Email{To: n.Recipient, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
			MessageID: n.MessageID, UnsubscribeURL: s.UnsubscribeURL(n.UnsubscribeToken)})
	case waybill.ChannelSMS:
		n.ProviderID, sendErr = s.SMS.Send(ctx, n.Recipient, msg.SMS)
	default:
		sendErr = &SendError{Channel: n.Channel, Answer: "unknown channel"}
	}
	if sendErr == nil {
		n.SentAt = s.now()
		return s.finish(ctx, seq, n, attempt, waybill.NotificationSent, "")
	}
	if ctx.Err() != nil && !errors.As(sendErr, new(*SendError)) {
		return sendErr // shutting down: the job runs again
	}
	if !Temporary(sendErr) {
		return s.finish(ctx, seq, n, attempt, waybill.NotificationFailed, sendErr.Error())
	}
	sched := s.schedule()
	if attempt > len(sched) {
		return s.finish(ctx, seq, n, attempt, waybill.NotificationFailed, "gave up after "+fmt.Sprint(attempt)+" attempts: "+sendErr.Error())
	}
	delay := sched[attempt-1]
	delay += time.Duration(rand.Int64N(int64(delay/10) + 1))
	next := s.now().Add(delay)
	n.Attempts, n.LastError, n.UpdatedAt = attempt, sendErr.Error(), s.now()
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.FinishNotification(ctx, orgID, seq, n); err != nil {
			return err
		}
		return s.Queue.EnqueueNotification(ctx, tx.SQL(), orgID, seq, attempt+1, next)
	})
	if err == nil {
		s.logFailure(n, next)
	}
	return err
}

// logFailure writes one warning per failed attempt (the recipient stays out
// of the log): what failed, why, and when the next attempt is due ("none"
// when the notification has failed for good).
func (s *Service) logFailure(n waybill.Notification, next time.Time) {
	if s.Logger == nil {
		return
	}
	nextAttempt := "none"
	if !next.IsZero() {
		nextAttempt = next.UTC().Format(time.RFC3339)
	}
	errText := n.LastError // a provider's answer may quote the recipient
	if n.Recipient != "" {
		errText = strings.ReplaceAll(errText, n.Recipient, MaskRecipient(n.Channel, n.Recipient))
	}
	s.Logger.Warn("notification failed", "org", n.OrgID, "notification", n.ID, "channel", n.Channel,
		"attempt", n.Attempts, "error", errText, "next_attempt", nextAttempt)
}

// finish records a notification's final state (and its event, when
// someone listens) in one transaction.
func (s *Service) finish(ctx context.Context, seq int64, n waybill.Notification, attempt int, state, lastError string) error {
	n.State, n.Attempts, n.LastError, n.UpdatedAt = state, attempt, lastError, s.now()
	if state == waybill.NotificationSkipped || state == waybill.NotificationNotSent {
		n.Attempts = attempt - 1 // nothing was attempted
	}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.FinishNotification(ctx, n.OrgID, seq, n); err != nil {
			return err
		}
		return s.emit(ctx, tx, n)
	})
	if err == nil && state == waybill.NotificationFailed {
		s.logFailure(n, time.Time{})
	}
	return err
}

// subscribed reports whether the recipient is still one of the tracking's.
func subscribed(t waybill.Tracking, n waybill.Notification) bool {
	if n.Channel == waybill.ChannelSMS {
		return slices.Contains(t.Smses, n.Recipient)
	}
	return slices.Contains(t.Emails, n.Recipient)
}

// trackingData is what a tracking's notification shows, or why it is
// skipped now: the tracking is gone, a delayed status changed, or the
// recipient left the tracking.
func (s *Service) trackingData(ctx context.Context, orgID int64, n waybill.Notification) (Data, string, error) {
	t, err := s.Store.Read().Tracking(ctx, orgID, n.TrackingID)
	switch {
	case waybill.ErrorCode(err) == waybill.ENOTFOUND:
		return Data{}, "the tracking was deleted", nil
	case err != nil:
		return Data{}, "", err
	case n.Delayed && t.Tag != n.Status:
		return Data{}, fmt.Sprintf("the status changed to %s during the delay", t.Tag), nil
	case !subscribed(t, n):
		return Data{}, "the recipient is no longer on the tracking", nil
	}
	return s.data(t, n.Language, s.UnsubscribeURL(n.UnsubscribeToken)), "", nil
}

// render fills the organization's template for the notification's status
// (or return key) and language, or the default, with d and the
// organization's name. custom is true for the organization's.
func (s *Service) render(ctx context.Context, orgID int64, n waybill.Notification, d Data) (Message, bool, error) {
	c, custom, err := s.template(ctx, s.Store.Read(), orgID, n.Status, n.Language)
	if err != nil {
		return Message{}, false, err
	}
	org, err := s.Store.Read().OrgByID(ctx, orgID)
	if err != nil {
		return Message{}, false, err
	}
	d.StoreName = org.Name
	m, err := c.Render(d)
	return m, custom, err
}

// template returns the organization's compiled template for a status and
// language, or the default.
func (s *Service) template(ctx context.Context, q *store.Queries, orgID int64, status waybill.Tag, lang string) (*Compiled, bool, error) {
	lang = MatchLanguage(lang)
	own, err := q.NotificationTemplate(ctx, orgID, status, lang)
	switch {
	case err == nil:
		c, err := Compile(Template{Subject: own.Subject, HTML: own.HTML, Text: own.Text, SMS: own.SMS})
		return c, true, err
	case waybill.ErrorCode(err) != waybill.ENOTFOUND:
		return nil, false, err
	}
	c, ok := Default(status, lang)
	if !ok {
		return nil, false, fmt.Errorf("no template for status %s", status)
	}
	return c, false, nil
}

// data is what a template shows about a tracking.
func (s *Service) data(t waybill.Tracking, lang, unsubscribe string) Data {
	name := t.Slug
	if c, ok := courier.Lookup(t.Slug); ok {
		name = c.Name
	}
	d := Data{CustomerName: t.CustomerName, OrderNumber: t.OrderNumber, Courier: name,
		TrackingNumber: t.TrackingNumber, Status: StatusLabel(t.Tag, lang), UnsubscribeURL: unsubscribe}
	if d.ExpectedDelivery = t.ExpectedDelivery; len(d.ExpectedDelivery) > 10 && d.ExpectedDelivery[10] == 'T' {
		d.ExpectedDelivery = d.ExpectedDelivery[:10]
	}
	if s.PageURL != nil {
		d.PageURL = s.PageURL(t)
	}
	if d.PageURL == "" {
		d.PageURL = strings.TrimRight(s.PublicURL, "/")
	}
	return d
}
