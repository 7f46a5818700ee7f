package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// NewNotificationToken returns a random unsubscribe token (128 bits,
// lowercase base32, 26 characters).
func NewNotificationToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

const notificationColumns = `id, public_id, org_id, tracking_id, return_id, event_id, status, channel, recipient, language, delayed,
	due_at, state, template, provider_id, message_id, attempts, last_error, unsubscribe_token, created_at, updated_at, sent_at`

// InsertNotification records a decided notification, setting n.ID and
// n.UnsubscribeToken, unless one already exists for the same (tracking or
// return, status, recipient): then it returns inserted false and writes
// nothing.
// The check is the table's unique index, so it holds across instances.
func (q *Queries) InsertNotification(ctx context.Context, n *waybill.Notification) (seq int64, inserted bool, err error) {
	if n.ID == "" {
		n.ID = NewPublicID()
	}
	if n.UnsubscribeToken == "" {
		n.UnsubscribeToken = NewNotificationToken()
	}
	err = q.q.QueryRowContext(ctx, `INSERT INTO notifications (public_id, org_id, tracking_id, return_id, event_id, status, channel,
		recipient, language, delayed, due_at, state, unsubscribe_token, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
		ON CONFLICT (org_id, tracking_id, return_id, status, recipient) DO NOTHING RETURNING id`,
		n.ID, n.OrgID, n.TrackingID, n.ReturnID, n.EventID, string(n.Status), n.Channel, n.Recipient, n.Language, n.Delayed,
		toMicros(n.DueAt), n.State, n.UnsubscribeToken, toMicros(n.CreatedAt)).Scan(&seq)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert notification: %w", err)
	}
	return seq, true, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanNotification(row rowScanner) (waybill.Notification, int64, error) {
	var n waybill.Notification
	var seq, due, created, updated, sent int64
	var status string
	err := row.Scan(&seq, &n.ID, &n.OrgID, &n.TrackingID, &n.ReturnID, &n.EventID, &status, &n.Channel, &n.Recipient, &n.Language,
		&n.Delayed, &due, &n.State, &n.Template, &n.ProviderID, &n.MessageID, &n.Attempts, &n.LastError,
		&n.UnsubscribeToken, &created, &updated, &sent)
	if err != nil {
		return n, 0, err
	}
	n.Status = waybill.Tag(status)
	n.DueAt, n.CreatedAt, n.UpdatedAt, n.SentAt = fromMicros(due), fromMicros(created), fromMicros(updated), fromMicros(sent)
	return n, seq, nil
}

// Notification loads the organization's notification with that internal
// key, or ENOTFOUND.
func (q *Queries) Notification(ctx context.Context, orgID, seq int64) (waybill.Notification, error) {
	n, _, err := scanNotification(q.q.QueryRowContext(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE org_id = $1 AND id = $2`, orgID, seq))
	if isNoRows(err) {
		return n, waybill.Errorf(waybill.ENOTFOUND, "Notification does not exist.")
	}
	if err != nil {
		return n, fmt.Errorf("load notification %d: %w", seq, err)
	}
	return n, nil
}

// NotificationByToken finds the notification an unsubscribe token belongs
// to, in any organization (the token is the proof), or ENOTFOUND.
func (q *Queries) NotificationByToken(ctx context.Context, token string) (waybill.Notification, error) {
	n, _, err := scanNotification(q.q.QueryRowContext(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE unsubscribe_token = $1`, token))
	if isNoRows(err) {
		return n, waybill.Errorf(waybill.ENOTFOUND, "This link is not valid.")
	}
	if err != nil {
		return n, fmt.Errorf("load notification by token: %w", err)
	}
	return n, nil
}

// FinishNotification stores the outcome of an attempt: state, attempts,
// template, provider and message ids, last error and sent time.
func (q *Queries) FinishNotification(ctx context.Context, orgID, seq int64, n waybill.Notification) error {
	_, err := q.q.ExecContext(ctx, `UPDATE notifications SET state = $1, attempts = $2, template = $3, provider_id = $4,
		message_id = $5, last_error = $6, updated_at = $7, sent_at = $8 WHERE org_id = $9 AND id = $10`,
		n.State, n.Attempts, n.Template, n.ProviderID, n.MessageID, n.LastError, toMicros(n.UpdatedAt), toMicros(n.SentAt), orgID, seq)
	if err != nil {
		return fmt.Errorf("update notification %d: %w", seq, err)
	}
	return nil
}

// NotificationFilter narrows a list of notifications; zero fields do not.
type NotificationFilter struct {
	TrackingID string
	ReturnID   string
	State      string
	Since      time.Time
	Limit      int // 100 when zero
}

// Notifications lists the organization's notifications, newest first.
func (q *Queries) Notifications(ctx context.Context, orgID int64, f NotificationFilter) ([]waybill.Notification, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	// Filters are added only when set (not as "($2 = '' OR ...)"), so that
	// a tracking's notifications come from its index.
	query := `SELECT ` + notificationColumns + ` FROM notifications WHERE org_id = $1 AND created_at >= $2`
	args := []any{orgID, toMicros(f.Since)}
	if f.TrackingID != "" {
		args = append(args, f.TrackingID)
		query += " AND tracking_id = $" + strconv.Itoa(len(args))
	}
	if f.ReturnID != "" {
		args = append(args, f.ReturnID)
		query += " AND return_id = $" + strconv.Itoa(len(args))
	}
	if f.State != "" {
		args = append(args, f.State)
		query += " AND state = $" + strconv.Itoa(len(args))
	}
	args = append(args, f.Limit)
	query += " ORDER BY created_at DESC, id DESC LIMIT $" + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	out := []waybill.Notification{}
	for rows.Next() {
		n, _, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NotificationSettings returns the organization's settings and whether it
// has stored any.
func (q *Queries) NotificationSettings(ctx context.Context, orgID int64) (waybill.NotificationSettings, bool, error) {
	var s waybill.NotificationSettings
	var statuses string
	var delay, updated int64
	err := q.q.QueryRowContext(ctx, notificationSettingsSQL, orgID).Scan(&statuses, &s.Email, &s.SMS, &delay, &updated)
	if isNoRows(err) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("load notification settings: %w", err)
	}
	s.Statuses = []waybill.Tag{}
	for _, t := range strings.Split(statuses, ",") {
		if t != "" {
			s.Statuses = append(s.Statuses, waybill.Tag(t))
		}
	}
	s.Delay, s.UpdatedAt = time.Duration(delay)*time.Second, fromMicros(updated)
	return s, true, nil
}

// PutNotificationSettings stores the organization's settings.
func (q *Queries) PutNotificationSettings(ctx context.Context, orgID int64, s waybill.NotificationSettings) error {
	tags := make([]string, len(s.Statuses))
	for i, t := range s.Statuses {
		tags[i] = string(t)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO notification_settings (org_id, statuses, email, sms, delay_seconds, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET statuses = excluded.statuses,
		email = excluded.email, sms = excluded.sms, delay_seconds = excluded.delay_seconds, updated_at = excluded.updated_at`,
		orgID, strings.Join(tags, ","), s.Email, s.SMS, int64(s.Delay/time.Second), toMicros(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store notification settings: %w", err)
	}
	return nil
}

// NotificationTemplate returns the organization's template for a status
// and language, or ENOTFOUND when it uses the default.
func (q *Queries) NotificationTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) (waybill.NotificationTemplate, error) {
	t := waybill.NotificationTemplate{Status: status, Language: lang}
	var updated int64
	err := q.q.QueryRowContext(ctx, `SELECT subject, html, text, sms, updated_at FROM notification_templates
		WHERE org_id = $1 AND status = $2 AND language = $3`, orgID, string(status), lang).Scan(&t.Subject, &t.HTML, &t.Text, &t.SMS, &updated)
	if isNoRows(err) {
		return t, waybill.Errorf(waybill.ENOTFOUND, "No template of the organization for %s in %s.", status, lang)
	}
	if err != nil {
		return t, fmt.Errorf("load notification template: %w", err)
	}
	t.UpdatedAt = fromMicros(updated)
	return t, nil
}

// NotificationTemplates lists the organization's own templates.
func (q *Queries) NotificationTemplates(ctx context.Context, orgID int64) ([]waybill.NotificationTemplate, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT status, language, subject, html, text, sms, updated_at FROM notification_templates
		WHERE org_id = $1 ORDER BY status, language`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list notification templates: %w", err)
	}
	defer rows.Close()
	out := []waybill.NotificationTemplate{}
	for rows.Next() {
		var t waybill.NotificationTemplate
		var status string
		var updated int64
		if err := rows.Scan(&status, &t.Language, &t.Subject, &t.HTML, &t.Text, &t.SMS, &updated); err != nil {
			return nil, fmt.Errorf("list notification templates: %w", err)
		}
		t.Status, t.UpdatedAt = waybill.Tag(status), fromMicros(updated)
		out = append(out, t)
	}
	return out, rows.Err()
}

// PutNotificationTemplate stores the organization's template for its
// status and language, replacing any.
func (q *Queries) PutNotificationTemplate(ctx context.Context, orgID int64, t waybill.NotificationTemplate) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notification_templates (org_id, status, language, subject, html, text, sms, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id, status, language) DO UPDATE SET subject = excluded.subject,
		html = excluded.html, text = excluded.text, sms = excluded.sms, updated_at = excluded.updated_at`,
		orgID, string(t.Status), t.Language, t.Subject, t.HTML, t.Text, t.SMS, toMicros(t.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store notification template: %w", err)
	}
	return nil
}

// DeleteNotificationTemplate goes back to the default for a status and
// language; ENOTFOUND when the organization had no template there.
func (q *Queries) DeleteNotificationTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM notification_templates WHERE org_id = $1 AND status = $2 AND language = $3`,
		orgID, string(status), lang)
	if err != nil {
		return fmt.Errorf("delete notification template: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waybill.Errorf(waybill.ENOTFOUND, "No template of the organization for %s in %s.", status, lang)
	}
	return nil
}

// InsertUnsubscribe records that the recipient of n left the messages
// about n's tracking (or return).
func (q *Queries) InsertUnsubscribe(ctx context.Context, n waybill.Notification, now time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notification_unsubscribes (org_id, tracking_id, return_id, channel, recipient, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, n.OrgID, n.TrackingID, n.ReturnID, n.Channel, n.Recipient, toMicros(now))
	if err != nil {
		return fmt.Errorf("record unsubscribe: %w", err)
	}
	return nil
}

// Unsubscribed reports whether a recipient unsubscribed from the messages
// about a tracking (returnID "") or a return (trackingID "").
func (q *Queries) Unsubscribed(ctx context.Context, orgID int64, trackingID, returnID, recipient string) (bool, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notification_unsubscribes WHERE org_id = $1 AND tracking_id = $2
		AND return_id = $3 AND recipient = $4`, orgID, trackingID, returnID, recipient).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check unsubscribe: %w", err)
	}
	return n > 0, nil
}

// notificationSettingsSQL reads an organization's notification settings
// (Warm prepares it).
const notificationSettingsSQL = `SELECT statuses, email, sms, delay_seconds, updated_at FROM notification_settings
		WHERE org_id = $1`
