package admin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
)

// Authenticator resolves an API key to its organization.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (waybill.Organization, error)
}

// API serves /v1, Waybill's own administration API: webhooks, events,
// pushed checkpoints, channels and API logs. Every route authenticates the
// same way (authenticate) and every error has the same envelope (errorBody).
type API struct {
	Checkpoints  Checkpoints
	Webhooks     Webhooks
	Channels     Channels
	Logs         APILogs
	Auth         Authenticator
	MaxBodyBytes int64
	Logger       *slog.Logger
	// AuthThrottle limits failed authentications per client address (nil:
	// no limit); it is shared by every face.
	AuthThrottle *httpserver.AuthThrottle

	// Organizations serves /v1/organization (the hosted pages' branding).
	Organizations Organizations
	// Notifications serves notification templates, settings and records;
	// nil leaves those routes out.
	Notifications Notifications
	// Trackers serves the Tracker API's /v1/providers and /v1/locations;
	// nil leaves those routes out.
	Trackers TrackerConfig
	// Onport serves /v1/connectors/onport and its webhook URLs; nil leaves
	// those routes out.
	Onport OnportConnectors
	// Imports serves POST /v1/trackings/batch, the bulk import; nil
	// leaves the route out.
	Imports TrackingImports
	// BatchMaxBodyBytes bounds a batch's body; DefaultBatchMaxBodyBytes
	// when zero.
	BatchMaxBodyBytes int64
	// Returns serves /v1/returns; nil leaves those routes out.
	Returns Returns
	// Couriers serves /v1/couriers, the organization's activated couriers;
	// nil leaves those routes out.
	Couriers Couriers
}

// Register adds the /v1 routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/checkpoints", a.handle(a.pushCheckpoints))
	mux.HandleFunc("POST /v1/webhooks", a.handle(a.createWebhook))
	mux.HandleFunc("GET /v1/webhooks", a.handle(a.listWebhooks))
	mux.HandleFunc("GET /v1/webhooks/{id}", a.handle(a.getWebhook))
	mux.HandleFunc("PATCH /v1/webhooks/{id}", a.handle(a.updateWebhook))
	mux.HandleFunc("DELETE /v1/webhooks/{id}", a.handle(a.deleteWebhook))
	mux.HandleFunc("POST /v1/webhooks/{id}/rotate-secret", a.handle(a.rotateSecret))
	mux.HandleFunc("GET /v1/webhooks/{id}/attempts", a.handle(a.endpointAttempts))
	mux.HandleFunc("POST /v1/webhooks/{id}/replay", a.handle(a.replayRange))
	mux.HandleFunc("GET /v1/events", a.handle(a.listEvents))
	mux.HandleFunc("GET /v1/events/{id}/attempts", a.handle(a.eventAttempts))
	mux.HandleFunc("POST /v1/events/{id}/replay", a.handle(a.replayEvent))
	mux.HandleFunc("POST /v1/channels", a.handle(a.createChannel))
	mux.HandleFunc("GET /v1/channels", a.handle(a.listChannels))
	mux.HandleFunc("GET /v1/channels/{id}", a.handle(a.getChannel))
	mux.HandleFunc("PATCH /v1/channels/{id}", a.handle(a.updateChannel))
	mux.HandleFunc("GET /v1/api-logs", a.handle(a.apiLogs))
	mux.HandleFunc("GET /v1/organization", a.handle(a.getOrganization))
	mux.HandleFunc("PATCH /v1/organization", a.handle(a.updateOrganization))
	if a.Notifications != nil {
		a.registerNotifications(mux)
	}
	if a.Trackers != nil {
		a.registerTrackerConfig(mux)
	}
	if a.Onport != nil {
		a.registerOnport(mux)
	}
	if a.Imports != nil {
		mux.HandleFunc("POST /v1/trackings/batch", a.handle(a.createBatch))
	}
	if a.Returns != nil {
		a.registerReturns(mux)
	}
	if a.Couriers != nil {
		a.registerCouriers(mux)
	}

	// Anything else under /v1 (an unknown path, or a known path with a
	// method it does not serve) is answered in the envelope too.
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "The requested resource does not exist."))
	})
}

// handler serves one /v1 route for an authenticated organization. It
// writes its answer on success; an error it returns is written by handle,
// in the envelope, and must not follow a write.
type handler func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error

// handle authenticates the request, runs h, and writes h's error in the
// envelope: the one place a /v1 error becomes a response.
func (a *API) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, err := a.authenticate(w, r)
		if err == nil {
			err = h(w, r, org)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	}
}

// authenticate is the one key check of /v1: the organization's key in the
// as-api-key header (or the legacy aftership-api-key). Failures count
// toward the client address's budget (AuthThrottle); past it, ERATELIMIT.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (waybill.Organization, error) {
	var org waybill.Organization
	err := a.AuthThrottle.Authenticate(w, r, func() (err error) {
		key := httpserver.APIKey(r, httpserver.AdminKeyHeaders...)
		if key == "" {
			return waybill.Errorf(waybill.EUNAUTHORIZED, "Missing API key: send it in the as-api-key header.")
		}
		org, err = a.Auth.Authenticate(r.Context(), key)
		return err
	})
	return org, err
}

// errorBody is the one error envelope of /v1:
//
//	{"error": {"code": "not_found", "reason": "", "message": "Channel not found."}}
//
// code is the core's error code (invalid, unauthorized, not_found,
// conflict, rate_limited, too_large, unprocessable, unavailable, internal)
// and decides the HTTP status; reason refines invalid and conflict (for
// example field_invalid, invalid_json) and is "" otherwise; message is
// for people and safe to show.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// statusOf is the one status mapping of /v1. Codes not listed are 500.
var statusOf = map[string]int{
	waybill.EINVALID: http.StatusBadRequest, waybill.ECONFLICT: http.StatusConflict, waybill.ENOTFOUND: http.StatusNotFound,
	waybill.EUNAUTHORIZED: http.StatusUnauthorized, waybill.EFORBIDDEN: http.StatusForbidden,
	waybill.ERATELIMIT: http.StatusTooManyRequests, waybill.ETOOLARGE: http.StatusRequestEntityTooLarge,
	waybill.EMEDIATYPE:     http.StatusUnsupportedMediaType,
	waybill.EUNPROCESSABLE: http.StatusUnprocessableEntity, waybill.EUNAVAILABLE: http.StatusServiceUnavailable,
}

// writeError writes err in the envelope. An internal error is logged with
// its details and shown with a generic message.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := waybill.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, waybill.EINTERNAL
		a.Logger.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorBody{errorDetail{Code: code, Reason: waybill.ErrorReason(err), Message: waybill.ErrorMessage(err)}})
}

// WriteInternalError answers a request whose handler panicked: 500 in the
// /v1 envelope. The server calls it for the face's PathPrefixes.
func (a *API) WriteInternalError(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: waybill.EINTERNAL,
		Message: "Something went wrong on our side."}})
}

// PathPrefixes are the paths the face serves.
func (a *API) PathPrefixes() []string { return []string{"/v1/"} }

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
	return nil
}

// decode reads a JSON body of at most MaxBodyBytes into v.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

// decodeOptional is decode for a route whose body may be left out: an
// empty body leaves v as it was. Empty means no bytes arrived, whatever
// the framing (Content-Length: 0, or a chunked body with none): before,
// only Content-Length: 0 counted, so a client that streams its body got a
// 400 for the same request.
func (a *API) decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil || len(data) == 0 {
		return err
	}
	return decodeJSON(data, v)
}

// decodeJSON decodes a whole request body into v, with the face's errors.
func decodeJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid UTF-8.")
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
