package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// Webhooks is what the admin face needs of the webhook service.
type Webhooks interface {
	CreateEndpoint(ctx context.Context, orgID int64, in webhook.EndpointInput) (waybill.WebhookEndpoint, string, error)
	UpdateEndpoint(ctx context.Context, orgID int64, id string, in webhook.EndpointInput) (waybill.WebhookEndpoint, error)
	RotateSecret(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, string, error)
	Endpoint(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, error)
	Endpoints(ctx context.Context, orgID int64) ([]waybill.WebhookEndpoint, error)
	DeleteEndpoint(ctx context.Context, orgID int64, id string) error
	ReplayEvent(ctx context.Context, orgID int64, eventID, endpointID string) (int, error)
	ReplayRange(ctx context.Context, orgID int64, endpointID string, since, until time.Time) (int, error)
	Events(ctx context.Context, orgID int64, since, until time.Time, limit int) ([]waybill.Event, error)
	Attempts(ctx context.Context, orgID int64, endpointID, eventID string, limit int) ([]waybill.DeliveryAttempt, error)
}

type endpointRequest struct {
	URL        *string   `json:"url"`
	Events     *[]string `json:"events"`
	Tags       *[]string `json:"tags"`
	APIVersion *string   `json:"api_version"`
	// PendingHours is the tracking_pending_time threshold, in hours.
	PendingHours *int  `json:"pending_hours"`
	Enabled      *bool `json:"enabled"`
}

func (r endpointRequest) input() webhook.EndpointInput {
	return webhook.EndpointInput{URL: r.URL, Events: r.Events, Tags: r.Tags, APIVersion: r.APIVersion, Enabled: r.Enabled,
		PendingHours: r.PendingHours}
}

// endpointJSON renders an endpoint; the secret only when given.
func endpointJSON(e waybill.WebhookEndpoint, secret string) map[string]any {
	out := map[string]any{
		"id": e.ID, "url": e.URL, "events": e.Events, "tags": e.Tags, "api_version": e.APIVersion, "pending_hours": e.PendingHours,
		"enabled": e.Enabled, "disabled_reason": e.DisabledReason, "created_at": e.CreatedAt, "updated_at": e.UpdatedAt,
	}
	if !e.FailingSince.IsZero() {
		out["failing_since"] = e.FailingSince
	}
	if secret != "" {
		out["secret"] = secret
	}
	return out
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req endpointRequest
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	e, secret, err := a.Webhooks.CreateEndpoint(r.Context(), org.ID, req.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, endpointJSON(e, secret))
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	es, err := a.Webhooks.Endpoints(r.Context(), org.ID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = endpointJSON(e, "")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"webhooks": out})
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	e, err := a.Webhooks.Endpoint(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, endpointJSON(e, ""))
}

func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req endpointRequest
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.Webhooks.UpdateEndpoint(r.Context(), org.ID, r.PathValue("id"), req.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, endpointJSON(e, ""))
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	if err := a.Webhooks.DeleteEndpoint(r.Context(), org.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	e, secret, err := a.Webhooks.RotateSecret(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, endpointJSON(e, secret))
}

func queryLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, waybill.Invalid(waybill.ReasonFieldInvalid, "limit must be an integer from 1 to 1000.")
	}
	return n, nil
}

func queryTimes(r *http.Request) (since, until time.Time, err error) {
	for name, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := r.URL.Query().Get(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return since, until, waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be an RFC 3339 time.", name)
			}
		}
	}
	return since, until, nil
}

func (a *API) endpointAttempts(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	return a.writeAttempts(w, r, org, r.PathValue("id"), r.URL.Query().Get("event_id"))
}

func (a *API) eventAttempts(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	return a.writeAttempts(w, r, org, r.URL.Query().Get("endpoint_id"), r.PathValue("id"))
}

func (a *API) writeAttempts(w http.ResponseWriter, r *http.Request, org waybill.Organization, endpointID, eventID string) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	attempts, err := a.Webhooks.Attempts(r.Context(), org.ID, endpointID, eventID, limit)
	if err != nil {
		return err
	}
	if attempts == nil {
		attempts = []waybill.DeliveryAttempt{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"attempts": attempts})
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	since, until, err := queryTimes(r)
	if err != nil {
		return err
	}
	events, err := a.Webhooks.Events(r.Context(), org.ID, since, until, limit)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(events))
	for i, e := range events {
		out[i] = map[string]any{"event_id": e.ID, "event": e.Type, "tracking_id": e.TrackingID, "tag": e.Tag,
			"is_tracking_first_tag": e.FirstTag, "detail": e.Detail, "created_at": e.CreatedAt}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

func (a *API) replayEvent(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	n, err := a.Webhooks.ReplayEvent(r.Context(), org.ID, r.PathValue("id"), r.URL.Query().Get("endpoint_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"deliveries_queued": n})
}

func (a *API) replayRange(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	since, until, err := queryTimes(r)
	if err != nil {
		return err
	}
	if since.IsZero() {
		return waybill.Invalid(waybill.ReasonFieldRequired, "since is required (RFC 3339).")
	}
	n, err := a.Webhooks.ReplayRange(r.Context(), org.ID, r.PathValue("id"), since, until)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"deliveries_queued": n})
}
