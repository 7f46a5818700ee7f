package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
)

// Notifications is what the admin face needs of the notification service.
type Notifications interface {
	Templates(ctx context.Context, orgID int64) ([]notify.TemplateInfo, error)
	GetTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) (notify.TemplateInfo, error)
	PutTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string, t notify.Template) (notify.TemplateInfo, error)
	DeleteTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) error
	Preview(ctx context.Context, org waybill.Organization, status waybill.Tag, lang string, t *notify.Template) (notify.Message, error)
	Settings(ctx context.Context, orgID int64) (waybill.NotificationSettings, error)
	PutSettings(ctx context.Context, orgID int64, s waybill.NotificationSettings) (waybill.NotificationSettings, error)
	List(ctx context.Context, orgID int64, f notify.Filter) ([]waybill.Notification, error)
}

var _ Notifications = (*notify.Service)(nil)

// registerNotifications adds the routes of notification templates,
// settings and the record of messages.
func (a *API) registerNotifications(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/notification-templates", a.handle(a.listTemplates))
	mux.HandleFunc("GET /v1/notification-templates/{status}/{language}", a.handle(a.getTemplate))
	mux.HandleFunc("PUT /v1/notification-templates/{status}/{language}", a.handle(a.putTemplate))
	mux.HandleFunc("DELETE /v1/notification-templates/{status}/{language}", a.handle(a.deleteTemplate))
	mux.HandleFunc("POST /v1/notification-templates/{status}/{language}/preview", a.handle(a.previewTemplate))
	mux.HandleFunc("GET /v1/notification-settings", a.handle(a.getNotificationSettings))
	mux.HandleFunc("PUT /v1/notification-settings", a.handle(a.putNotificationSettings))
	mux.HandleFunc("GET /v1/notifications", a.handle(a.listNotifications))
}

type templateJSON struct {
	Status   string `json:"status"`
	Language string `json:"language"`
	Source   string `json:"source"` // "custom" or "default"
	Subject  string `json:"subject"`
	HTML     string `json:"html"`
	Text     string `json:"text"`
	SMS      string `json:"sms"`
}

func renderTemplate(t notify.TemplateInfo) templateJSON {
	source := "default"
	if t.Custom {
		source = "custom"
	}
	return templateJSON{Status: string(t.Status), Language: t.Language, Source: source, Subject: t.Template.Subject,
		HTML: t.Template.HTML, Text: t.Template.Text, SMS: t.Template.SMS}
}

type templateRequest struct {
	Subject *string `json:"subject"`
	HTML    *string `json:"html"`
	Text    *string `json:"text"`
	SMS     *string `json:"sms"`
}

func (r templateRequest) template() (notify.Template, error) {
	for name, p := range map[string]*string{"subject": r.Subject, "text": r.Text, "sms": r.SMS} {
		if p == nil {
			return notify.Template{}, waybill.Invalid(waybill.ReasonFieldRequired, "%s is required.", name)
		}
	}
	t := notify.Template{Subject: *r.Subject, Text: *r.Text, SMS: *r.SMS}
	if r.HTML != nil {
		t.HTML = *r.HTML
	}
	return t, nil
}

func templateKey(r *http.Request) (waybill.Tag, string) {
	return waybill.Tag(r.PathValue("status")), r.PathValue("language")
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	ts, err := a.Notifications.Templates(r.Context(), org.ID)
	if err != nil {
		return err
	}
	out := make([]templateJSON, len(ts))
	for i, t := range ts {
		out[i] = renderTemplate(t)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"templates": out})
}

func (a *API) getTemplate(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	status, lang := templateKey(r)
	t, err := a.Notifications.GetTemplate(r.Context(), org.ID, status, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"template": renderTemplate(t)})
}

func (a *API) putTemplate(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req templateRequest
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	tmpl, err := req.template()
	if err != nil {
		return err
	}
	status, lang := templateKey(r)
	t, err := a.Notifications.PutTemplate(r.Context(), org.ID, status, lang, tmpl)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"template": renderTemplate(t)})
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	status, lang := templateKey(r)
	if err := a.Notifications.DeleteTemplate(r.Context(), org.ID, status, lang); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// previewTemplate renders the template that applies, or the one in the
// body (to try it before storing it), with a sample tracking.
func (a *API) previewTemplate(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var tmpl *notify.Template
	var req templateRequest
	if err := a.decodeOptional(w, r, &req); err != nil {
		return err
	}
	if req != (templateRequest{}) {
		t, err := req.template()
		if err != nil {
			return err
		}
		tmpl = &t
	}
	status, lang := templateKey(r)
	m, err := a.Notifications.Preview(r.Context(), org, status, lang, tmpl)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"preview": map[string]string{
		"subject": m.Subject, "html": m.HTML, "text": m.Text, "sms": m.SMS}})
}

type settingsJSON struct {
	Statuses     []string `json:"statuses"`
	Email        bool     `json:"email"`
	SMS          bool     `json:"sms"`
	DelayMinutes int64    `json:"delay_minutes"`
}

func renderSettings(s waybill.NotificationSettings) settingsJSON {
	out := settingsJSON{Statuses: []string{}, Email: s.Email, SMS: s.SMS, DelayMinutes: int64(s.Delay / time.Minute)}
	for _, t := range s.Statuses {
		out.Statuses = append(out.Statuses, string(t))
	}
	return out
}

func (a *API) getNotificationSettings(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	s, err := a.Notifications.Settings(r.Context(), org.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"settings": renderSettings(s)})
}

func (a *API) putNotificationSettings(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req struct {
		Statuses     *[]string `json:"statuses"`
		Email        *bool     `json:"email"`
		SMS          *bool     `json:"sms"`
		DelayMinutes *int64    `json:"delay_minutes"`
	}
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.Notifications.Settings(r.Context(), org.ID)
	if err != nil {
		return err
	}
	if req.Statuses != nil {
		s.Statuses = []waybill.Tag{}
		for _, t := range *req.Statuses {
			s.Statuses = append(s.Statuses, waybill.Tag(t))
		}
	}
	if req.Email != nil {
		s.Email = *req.Email
	}
	if req.SMS != nil {
		s.SMS = *req.SMS
	}
	if req.DelayMinutes != nil {
		if *req.DelayMinutes < 0 || *req.DelayMinutes > 7*24*60 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "delay_minutes must be from 0 to %d.", 7*24*60)
		}
		s.Delay = time.Duration(*req.DelayMinutes) * time.Minute
	}
	if s, err = a.Notifications.PutSettings(r.Context(), org.ID, s); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"settings": renderSettings(s)})
}

type notificationJSON struct {
	ID                string     `json:"id"`
	TrackingID        string     `json:"tracking_id"`
	ReturnID          string     `json:"return_id"`
	Tag               string     `json:"tag"`
	Channel           string     `json:"channel"`
	Recipient         string     `json:"recipient"` // masked
	Language          string     `json:"language"`
	Status            string     `json:"status"`
	Template          string     `json:"template"`
	ProviderMessageID string     `json:"provider_message_id"`
	Attempts          int        `json:"attempts"`
	LastError         string     `json:"last_error"`
	DueAt             time.Time  `json:"due_at"`
	CreatedAt         time.Time  `json:"created_at"`
	SentAt            *time.Time `json:"sent_at"`
}

// renderNotification is a notification as /v1 and notification webhooks
// show it: the recipient masked, the provider's id being the SMS sid or
// the email's Message-ID.
func renderNotification(n waybill.Notification) notificationJSON {
	out := notificationJSON{ID: n.ID, TrackingID: n.TrackingID, ReturnID: n.ReturnID, Tag: string(n.Status), Channel: n.Channel,
		Recipient: notify.MaskRecipient(n.Channel, n.Recipient), Language: n.Language, Status: n.State,
		Template: n.Template, ProviderMessageID: n.ProviderID, Attempts: n.Attempts, LastError: n.LastError,
		DueAt: n.DueAt, CreatedAt: n.CreatedAt}
	if n.Channel == waybill.ChannelEmail {
		out.ProviderMessageID = n.MessageID
	}
	if !n.SentAt.IsZero() {
		out.SentAt = &n.SentAt
	}
	return out
}

var notificationStates = []string{waybill.NotificationPending, waybill.NotificationSent, waybill.NotificationFailed,
	waybill.NotificationNotSent, waybill.NotificationSkipped}

func (a *API) listNotifications(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	f := notify.Filter{TrackingID: q.Get("tracking_id"), ReturnID: q.Get("return_id"), State: q.Get("status"), Limit: 100}
	if f.State != "" && !slices.Contains(notificationStates, f.State) {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "status must be one of pending, sent, failed, not_sent, skipped.")
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "since must be an RFC 3339 time, e.g. 2026-07-01T00:00:00Z.")
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "limit must be 1 to 1000.")
		}
		f.Limit = n
	}
	ns, err := a.Notifications.List(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, len(ns))
	for i, n := range ns {
		out[i] = renderNotification(n)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notifications": out})
}

// NotificationPayload renders a notification.sent or notification.failed
// event as the body of its webhook: {"event", "event_id", "ts", "msg":
// <the notification as GET /v1/notifications shows it>}.
func NotificationPayload(e waybill.Event) ([]byte, error) {
	if e.Notification == nil {
		return nil, fmt.Errorf("event %s has no notification", e.ID)
	}
	return json.Marshal(struct {
		Event   string           `json:"event"`
		EventID string           `json:"event_id"`
		TS      int64            `json:"ts"`
		Msg     notificationJSON `json:"msg"`
	}{e.Type, e.ID, e.CreatedAt.Unix(), renderNotification(*e.Notification)})
}
