package tracker

import (
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/trackers"
)

// The vendor's error types this face answers with. The first four are the
// seed's table; the others come from the vendor's wider catalogue.
const (
	typeUnauthorized     = "UNAUTHORIZED"
	typeMissing          = "MISSING_TRACKER_DATA"
	typeInvalid          = "INVALID_TRACKER_DATA"
	typeInternal         = "INTERNAL_SERVER_ERROR"
	typeNotFound         = "NOT_FOUND"
	typeTooMany          = "TOO_MANY_REQUESTS"
	typeAlreadyCancelled = "ORDER_ALREADY_CANCELLED"

	hard      = "hard"
	transient = "transient"

	internalMessage = "Internal Server Error: An unexpected error occurred while processing the request"
)

// errorJSON is the vendor's error body: type and message required,
// severity hard or transient, and errors[] of the same shape with the
// field each is about.
type errorJSON struct {
	Type     string       `json:"type"`
	Message  string       `json:"message"`
	Severity string       `json:"severity"`
	Errors   []errorEntry `json:"errors"`
}

type errorEntry struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// classify is the one mapping from the core's errors to the vendor's type,
// HTTP status and severity. What the core does not name is a fault: 500,
// transient.
func classify(err error) (typ string, status int, severity string) {
	switch waybill.ErrorCode(err) {
	case waybill.EUNAUTHORIZED:
		return typeUnauthorized, http.StatusUnauthorized, hard
	case waybill.EINVALID:
		switch waybill.ErrorReason(err) {
		case waybill.ReasonFieldRequired, waybill.ReasonInvalidJSON:
			return typeMissing, http.StatusBadRequest, hard
		}
		return typeInvalid, http.StatusUnprocessableEntity, hard
	case waybill.EUNPROCESSABLE:
		if waybill.ErrorReason(err) == trackers.ReasonAlreadyCancelled {
			return typeAlreadyCancelled, http.StatusUnprocessableEntity, hard
		}
		return typeInvalid, http.StatusUnprocessableEntity, hard
	case waybill.ECONFLICT:
		return typeInvalid, http.StatusUnprocessableEntity, hard
	case waybill.ETOOLARGE:
		return typeInvalid, http.StatusRequestEntityTooLarge, hard
	case waybill.EMEDIATYPE:
		return typeInvalid, http.StatusUnsupportedMediaType, hard
	case waybill.ENOTFOUND:
		return typeNotFound, http.StatusNotFound, hard
	case waybill.ERATELIMIT:
		return typeTooMany, http.StatusTooManyRequests, transient
	}
	return typeInternal, http.StatusInternalServerError, transient
}

// writeError writes err in the vendor's envelope: one entry per field
// problem, or one entry repeating the error. A fault is logged with its
// details and shown with the vendor's generic message.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	typ, status, severity := classify(err)
	msg := waybill.ErrorMessage(err)
	if typ == typeInternal {
		msg = internalMessage
		if a.Logger != nil {
			a.Logger.Error("tracker request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	body := errorJSON{Type: typ, Message: msg, Severity: severity}
	for _, f := range waybill.FieldProblemsOf(err) {
		body.Errors = append(body.Errors, errorEntry{Type: typ, Message: f.Message, Field: f.Field})
	}
	if len(body.Errors) == 0 {
		body.Errors = []errorEntry{{Type: typ, Message: msg}}
	}
	writeJSON(w, status, body)
}
