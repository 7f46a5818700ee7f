package waybill

import (
	"errors"
	"fmt"
)

// FieldProblem is one field of a request that is missing or invalid.
// Field is the request's own name for it (deliveryAddress.countryCode).
type FieldProblem struct {
	Field   string
	Message string
	Missing bool
}

// FieldErrors is an *Error with every field problem behind it, for faces
// whose error model lists them (the Tracker API). errors.As finds the
// *Error through Unwrap, so ErrorCode and ErrorMessage work on it.
type FieldErrors struct {
	Err    *Error
	Fields []FieldProblem
}

func (e *FieldErrors) Error() string { return e.Err.Error() }

// Unwrap returns the coded error.
func (e *FieldErrors) Unwrap() error { return e.Err }

// FieldProblemsOf returns the field problems of err, or nil.
func FieldProblemsOf(err error) []FieldProblem {
	var fe *FieldErrors
	if errors.As(err, &fe) {
		return fe.Fields
	}
	return nil
}

// Problems collects the field problems of one request.
type Problems struct {
	list []FieldProblem
}

// missing records a required field that is absent.
func (p *Problems) missing(field, message string) {
	p.list = append(p.list, FieldProblem{Field: field, Message: message, Missing: true})
}

// invalid records a field whose value cannot be accepted.
func (p *Problems) invalid(field, message string) {
	p.list = append(p.list, FieldProblem{Field: field, Message: message})
}

// line checks a single-line string field: UTF-8, no control character, at
// most limit bytes.
func (p *Problems) line(field, s string, limit int) bool {
	if err := checkLine(field, s, limit); err != nil {
		p.invalid(field, lineMessage(field, s, limit))
		return false
	}
	return true
}

// text is line for free text (tab and newlines allowed).
func (p *Problems) text(field, s string, limit int) bool {
	if err := checkText(field, s, limit); err != nil {
		p.invalid(field, lineMessage(field, s, limit))
		return false
	}
	return true
}

func lineMessage(field, s string, limit int) string {
	if len(s) > limit {
		return fmt.Sprintf("%s is longer than %d characters", field, limit)
	}
	return fmt.Sprintf("%s is not valid text (invalid UTF-8 or a control character)", field)
}

// Err returns nil when nothing was recorded. When a required field is
// missing, it is an EINVALID error (ReasonFieldRequired) listing every
// missing field; otherwise an EUNPROCESSABLE error (ReasonFieldInvalid)
// listing every invalid one.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	var missing, invalid []FieldProblem
	for _, f := range p.list {
		if f.Missing {
			missing = append(missing, f)
		} else {
			invalid = append(invalid, f)
		}
	}
	if len(missing) > 0 {
		return &FieldErrors{Err: &Error{Code: EINVALID, Reason: ReasonFieldRequired, Message: summary("Missing", missing)}, Fields: missing}
	}
	return &FieldErrors{Err: &Error{Code: EUNPROCESSABLE, Reason: ReasonFieldInvalid, Message: summary("Invalid", invalid)}, Fields: invalid}
}

func summary(what string, list []FieldProblem) string {
	if len(list) == 1 {
		return list[0].Message
	}
	return fmt.Sprintf("%s data in %d fields.", what, len(list))
}
