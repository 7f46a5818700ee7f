package admin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
)

// Authenticator resolves an API key to its organization.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (waybill.Organization, error)
}

// API serves /v1.
type API struct {
	Checkpoints  Checkpoints
	Webhooks     Webhooks
	Channels     Channels
	Logs         APILogs
	Auth         Authenticator
	MaxBodyBytes int64
	Logger       *slog.Logger
}

// Register adds the /v1 routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/checkpoints", a.authed(a.pushCheckpoints))
	mux.HandleFunc("POST /v1/webhooks", a.authed(a.createWebhook))
	mux.HandleFunc("GET /v1/webhooks", a.authed(a.listWebhooks))
	mux.HandleFunc("GET /v1/webhooks/{id}", a.authed(a.getWebhook))
	mux.HandleFunc("PATCH /v1/webhooks/{id}", a.authed(a.updateWebhook))
	mux.HandleFunc("DELETE /v1/webhooks/{id}", a.authed(a.deleteWebhook))
	mux.HandleFunc("POST /v1/webhooks/{id}/rotate-secret", a.authed(a.rotateSecret))
	mux.HandleFunc("GET /v1/webhooks/{id}/attempts", a.authed(a.endpointAttempts))
	mux.HandleFunc("POST /v1/webhooks/{id}/replay", a.authed(a.replayRange))
	mux.HandleFunc("GET /v1/events", a.authed(a.listEvents))
	mux.HandleFunc("GET /v1/events/{id}/attempts", a.authed(a.eventAttempts))
	mux.HandleFunc("POST /v1/events/{id}/replay", a.authed(a.replayEvent))
	mux.HandleFunc("POST /v1/channels", a.authed(a.createChannel))
	mux.HandleFunc("GET /v1/channels", a.authed(a.listChannels))
	mux.HandleFunc("GET /v1/channels/{id}", a.authed(a.getChannel))
	mux.HandleFunc("PATCH /v1/channels/{id}", a.authed(a.updateChannel))
	mux.HandleFunc("GET /v1/api-logs", a.authed(a.apiLogs))
}

type handler func(w http.ResponseWriter, r *http.Request, org waybill.Organization)

func (a *API) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := httpserver.APIKey(r, httpserver.AdminKeyHeaders...)
		if key == "" {
			a.writeError(w, r, waybill.Errorf(waybill.EUNAUTHORIZED, "Missing API key: send it in the as-api-key header."))
			return
		}
		org, err := a.Auth.Authenticate(r.Context(), key)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		h(w, r, org)
	}
}

var statusOf = map[string]int{
	waybill.EINVALID: http.StatusBadRequest, waybill.ECONFLICT: http.StatusConflict, waybill.ENOTFOUND: http.StatusNotFound,
	waybill.EUNAUTHORIZED: http.StatusUnauthorized, waybill.EFORBIDDEN: http.StatusForbidden,
	waybill.ERATELIMIT: http.StatusTooManyRequests, waybill.ETOOLARGE: http.StatusRequestEntityTooLarge,
	waybill.EUNPROCESSABLE: http.StatusUnprocessableEntity, waybill.EUNAVAILABLE: http.StatusServiceUnavailable,
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := waybill.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
		a.Logger.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{
		"code": code, "reason": waybill.ErrorReason(err), "message": waybill.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body of at most MaxBodyBytes into v.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "%s has the wrong type.", typeErr.Field)
		}
		return waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid JSON.")
	}
	return nil
}
