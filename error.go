package waybill

import (
	"errors"
	"fmt"
)

// Error codes. They are generic on purpose: each face maps a code (and, where
// it needs finer detail, a Reason) to its own envelope, for example AfterShip
// meta codes or Tracker API error types.
const (
	ECONFLICT      = "conflict"               // the resource already exists
	EINTERNAL      = "internal"               // an unexpected failure; details are logged, never shown
	EINVALID       = "invalid"                // the request is invalid; Reason says how
	ENOTFOUND      = "not_found"              // the resource does not exist in the caller's organization
	EUNAUTHORIZED  = "unauthorized"           // missing or wrong credentials
	EFORBIDDEN     = "forbidden"              // valid credentials, action not allowed
	ERATELIMIT     = "rate_limited"           // too many requests
	ETOOLARGE      = "too_large"              // the request body is over its size limit
	EMEDIATYPE     = "unsupported_media_type" // the request body's Content-Type is not one the route reads
	EUNPROCESSABLE = "unprocessable"          // well-formed but semantically rejected
	EUNAVAILABLE   = "unavailable"            // a dependency is down; the same request may succeed later
)

// Reasons refine EINVALID and ECONFLICT where a face distinguishes them.
const (
	ReasonInvalidJSON          = "invalid_json"
	ReasonTrackingRequired     = "tracking_required"
	ReasonNumberRequired       = "tracking_number_required"
	ReasonNumberInvalid        = "tracking_number_invalid"
	ReasonSlugInvalid          = "slug_invalid"
	ReasonCourierFieldRequired = "courier_field_required"
	ReasonCourierNotDetected   = "courier_not_detected"
	ReasonRetrackActive        = "retrack_active"
	ReasonRetrackOnce          = "retrack_once"
	ReasonNotificationRequired = "notification_required"
	ReasonIDInvalid            = "id_invalid"
	ReasonFieldInvalid         = "field_invalid"
	ReasonFieldRequired        = "field_required"
	ReasonTrackingExists       = "tracking_exists"
)

// Error is the coded error of the core. Message is safe to show to the API
// caller; it never contains internal details.
type Error struct {
	Code    string
	Reason  string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("waybill error: code=%s reason=%s message=%s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("waybill error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error with a reason.
func Invalid(reason, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the reason of the first *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// ErrorMessage returns the caller-safe message of the first *Error in err's
// chain, or a generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side."
}
