package commerce

import (
	"errors"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
)

// Problems is a validation failure: every problem found in a payload, in
// the order found. It unwraps to an EINVALID *waybill.Error, so faces map it
// like any other core error.
type Problems struct {
	List []string
	err  *waybill.Error
}

// Error joins the problems.
func (p *Problems) Error() string { return p.err.Error() }

// Unwrap returns the EINVALID core error.
func (p *Problems) Unwrap() error { return p.err }

// problems collects validation failures.
type problems []string

func (p *problems) add(format string, args ...any) {
	if len(*p) < maxProblems {
		*p = append(*p, fmt.Sprintf(format, args...))
	}
}

// maxProblems bounds a report: a huge bad payload gives a short answer.
const maxProblems = 20

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &Problems{List: p, err: waybill.Invalid(waybill.ReasonFieldInvalid, "%s", strings.Join(p, "; "))}
}

// ErrorList returns the problems of a validation error, or its caller-safe
// message as the only entry.
func ErrorList(err error) []string {
	var p *Problems
	if errors.As(err, &p) {
		return p.List
	}
	return []string{waybill.ErrorMessage(err)}
}

// NewProblems returns a validation failure listing problems (at most 20
// are kept), for a face whose own checks (a body that is not JSON, a value
// of the wrong type) come before the core's. Without problems it is nil.
func NewProblems(list ...string) error {
	var p problems
	for _, s := range list {
		p.add("%s", s)
	}
	return p.err()
}
