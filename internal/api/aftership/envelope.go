package aftership

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
)

// meta is AfterShip's response meta object.
type meta struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

type envelope struct {
	Meta meta `json:"meta"`
	Data any  `json:"data"`
}

// Meta types.
const (
	typeOK              = "OK"
	typeCreated         = "Created"
	typeBadRequest      = "BadRequest"
	typeUnauthorized    = "Unauthorized"
	typeForbidden       = "Forbidden"
	typeNotFound        = "NotFound"
	typeTooManyRequests = "TooManyRequests"
	typeInternalError   = "InternalError"
	typeUnavailable     = "ServiceUnavailable"
)

// reasonCodes maps core error reasons to AfterShip meta codes.
var reasonCodes = map[string]int{
	waybill.ReasonInvalidJSON:          4001,
	waybill.ReasonTrackingExists:       4003,
	waybill.ReasonNumberInvalid:        4005,
	waybill.ReasonTrackingRequired:     4006,
	waybill.ReasonNumberRequired:       4007,
	waybill.ReasonFieldInvalid:         4008,
	waybill.ReasonFieldRequired:        4009,
	waybill.ReasonSlugInvalid:          4010,
	waybill.ReasonCourierFieldRequired: 4011,
	waybill.ReasonCourierNotDetected:   4012,
	waybill.ReasonRetrackActive:        4013,
	waybill.ReasonNotificationRequired: 4014,
	waybill.ReasonIDInvalid:            4015,
	waybill.ReasonRetrackOnce:          4016,
}

// errorMeta maps a core error to the HTTP status and meta of AfterShip.
func errorMeta(err error) (int, meta) {
	msg := waybill.ErrorMessage(err)
	switch waybill.ErrorCode(err) {
	case waybill.EINVALID, waybill.ECONFLICT, waybill.EUNPROCESSABLE:
		code, ok := reasonCodes[waybill.ErrorReason(err)]
		if !ok {
			code = 400
		}
		return http.StatusBadRequest, meta{code, msg, typeBadRequest}
	case waybill.ENOTFOUND:
		return http.StatusNotFound, meta{4004, msg, typeNotFound}
	case waybill.EUNAUTHORIZED:
		return http.StatusUnauthorized, meta{401, msg, typeUnauthorized}
	case waybill.EFORBIDDEN:
		return http.StatusForbidden, meta{403, msg, typeForbidden}
	case waybill.ERATELIMIT:
		return http.StatusTooManyRequests, meta{429, msg, typeTooManyRequests}
	case waybill.ETOOLARGE:
		return http.StatusRequestEntityTooLarge, meta{413, msg, typeBadRequest}
	case waybill.EMEDIATYPE:
		return http.StatusUnsupportedMediaType, meta{415, msg, typeBadRequest}
	case waybill.EUNAVAILABLE:
		return http.StatusServiceUnavailable, meta{503, msg, typeUnavailable}
	}
	return http.StatusInternalServerError, meta{500, msg, typeInternalError}
}

func writeEnvelope(w http.ResponseWriter, status int, m meta, data any) {
	if data == nil {
		data = struct{}{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(envelope{Meta: m, Data: data})
}

func writeOK(w http.ResponseWriter, data any) {
	writeEnvelope(w, http.StatusOK, meta{200, "", typeOK}, data)
}

func writeCreated(w http.ResponseWriter, data any) {
	writeEnvelope(w, http.StatusCreated, meta{201, "", typeCreated}, data)
}

// writeErrorV4 renders an error of a v4 request: the one place where v4
// handlers' errors become envelopes.
func (a *API) writeErrorV4(w http.ResponseWriter, r *http.Request, err error) {
	status, m := errorMeta(err)
	a.logError(r, status, err)
	writeEnvelope(w, status, m, nil)
}

// writeErrorDated renders an error of a 2026-07 request: the one place
// where dated handlers' errors become envelopes. The core names fields as
// v4 does; where 2026-07 renamed a field, the message uses the new name.
func (a *API) writeErrorDated(w http.ResponseWriter, r *http.Request, err error) {
	status, m := errorMeta(err)
	a.logError(r, status, err)
	if status < 500 {
		m.Message = datedNames.Replace(m.Message)
	}
	writeEnvelope(w, status, m, nil)
}

// datedNames renames the core's field names in messages to the 2026-07
// names of the same fields.
var datedNames = strings.NewReplacer(
	"origin_country_iso3", "origin_country_region",
	"destination_country_iso3", "destination_country_region",
)

// logError logs internal errors with their details (the caller sees only a
// generic message) and, at debug level, refusals.
func (a *API) logError(r *http.Request, status int, err error) {
	if status >= 500 {
		a.Logger.Error("aftership request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else if a.Logger.Enabled(r.Context(), slog.LevelDebug) {
		a.Logger.Debug("aftership request refused", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}
