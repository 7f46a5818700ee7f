package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// Template is the source of one notification: a subject, an HTML and a
// plain-text body for email, and a body for SMS. Each part is a Go template
// (text/template; html/template for HTML, which escapes every value) over
// Data, e.g. "{{.StoreName}}: your parcel {{.TrackingNumber}} is on its way".
type Template struct {
	Subject string
	HTML    string
	Text    string
	SMS     string
}

// Data is what a template can show. Every field is a placeholder:
// {{.StoreName}}, {{.Courier}}, {{.TrackingNumber}}, {{.Status}},
// {{.ExpectedDelivery}} (empty when unknown), {{.PageURL}} (the tracking
// page), {{.UnsubscribeURL}} (one click stops further messages),
// {{.CustomerName}} and {{.OrderNumber}} (both may be empty).
//
// A return's notification fills {{.RMA}}, {{.Items}} (one "2 × Name" per
// line, for {{range .Items}}), {{.RejectReason}}, {{.LabelURL}} and
// {{.ReturnAddress}} (each empty when the return has none); its
// {{.PageURL}} is the return's page, its {{.TrackingNumber}} and
// {{.Courier}} the return parcel's (empty until there is one) and its
// {{.Status}} the return's status. A tracking's notification leaves
// these return fields empty.
type Data struct {
	StoreName        string
	CustomerName     string
	OrderNumber      string
	Courier          string
	TrackingNumber   string
	Status           string
	ExpectedDelivery string
	PageURL          string
	UnsubscribeURL   string

	RMA           string
	Items         []string
	RejectReason  string
	LabelURL      string
	ReturnAddress string
}

// SampleData is the tracking (and return) templates are checked and
// previewed with.
var SampleData = Data{
	StoreName:        "Example Store",
	CustomerName:     "Alex Doe",
	OrderNumber:      "#1001",
	Courier:          "DHL",
	TrackingNumber:   "JD014600006281234567",
	Status:           "In transit",
	ExpectedDelivery: "2026-07-14",
	PageURL:          "https://track.example.com/t/3kTMd9xQ",
	UnsubscribeURL:   "https://track.example.com/u/Zq81Lw0p",
	RMA:              "RMA-7K2D-Q9XW",
	Items:            []string{"1 × Linen shirt, blue, M", "2 × Cotton socks"},
	RejectReason:     "The item was worn.",
	LabelURL:         "https://labels.example.com/RMA-7K2D-Q9XW.pdf",
	ReturnAddress:    "Example Store Returns\n1 Dock Road\nLeeds LS1 1AA",
}

// Message is a rendered notification.
type Message struct {
	Subject string
	HTML    string
	Text    string
	SMS     string
}

// maxPart bounds each part of a template source.
const maxPart = 64 << 10

// ParseError says why a template was refused: which part, on which line
// (1-based; 0 when unknown), and the reason.
type ParseError struct {
	Part   string // "subject", "html", "text" or "sms"
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s, line %d: %s", e.Part, e.Line, e.Reason)
	}
	return e.Part + ": " + e.Reason
}

// Compiled is a parsed Template, ready to render; it is safe for
// concurrent use.
type Compiled struct {
	Source  Template
	subject *texttemplate.Template
	text    *texttemplate.Template
	sms     *texttemplate.Template
	html    *htmltemplate.Template
}

// Compile parses every part of t and renders it once with SampleData, so
// that an unknown placeholder is refused here rather than when a message is
// due. The error is a *ParseError. An empty HTML part is allowed (the email
// is then plain text only); the other parts are required.
func Compile(t Template) (*Compiled, error) {
	c := &Compiled{Source: t}
	parts := []struct {
		name, src string
		required  bool
		dst       **texttemplate.Template
	}{
		{"subject", t.Subject, true, &c.subject},
		{"text", t.Text, true, &c.text},
		{"sms", t.SMS, true, &c.sms},
	}
	for _, p := range parts {
		if err := checkSource(p.name, p.src, p.required); err != nil {
			return nil, err
		}
		tt, err := texttemplate.New(p.name).Option("missingkey=error").Parse(p.src)
		if err != nil {
			return nil, parseError(p.name, err)
		}
		*p.dst = tt
	}
	if err := checkSource("html", t.HTML, false); err != nil {
		return nil, err
	}
	if t.HTML != "" {
		ht, err := htmltemplate.New("html").Option("missingkey=error").Parse(t.HTML)
		if err != nil {
			return nil, parseError("html", err)
		}
		c.html = ht
	}
	if _, err := c.Render(SampleData); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, &ParseError{Part: "template", Reason: err.Error()}
	}
	return c, nil
}

func checkSource(part, src string, required bool) error {
	switch {
	case required && strings.TrimSpace(src) == "":
		return &ParseError{Part: part, Reason: "must not be empty"}
	case len(src) > maxPart:
		return &ParseError{Part: part, Reason: fmt.Sprintf("longer than %d bytes", maxPart)}
	}
	return nil
}

// MustCompile is Compile for templates known to be valid (the defaults).
func MustCompile(t Template) *Compiled {
	c, err := Compile(t)
	if err != nil {
		panic(err)
	}
	return c
}

// Render fills the template with d. The subject is one line: line breaks
// in it become spaces. The error is a *ParseError naming the part.
func (c *Compiled) Render(d Data) (Message, error) {
	var m Message
	var err error
	if m.Subject, err = execText(c.subject, d); err != nil {
		return Message{}, err
	}
	m.Subject = strings.Join(strings.Fields(m.Subject), " ")
	if m.Text, err = execText(c.text, d); err != nil {
		return Message{}, err
	}
	if m.SMS, err = execText(c.sms, d); err != nil {
		return Message{}, err
	}
	m.SMS = strings.TrimSpace(m.SMS)
	if c.html != nil {
		var b bytes.Buffer
		if err := c.html.Execute(&b, d); err != nil {
			return Message{}, parseError("html", err)
		}
		m.HTML = b.String()
	}
	return m, nil
}

func execText(t *texttemplate.Template, d Data) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", parseError(t.Name(), err)
	}
	return b.String(), nil
}

// Go's template errors read "template: NAME:LINE[:COL]: REASON", execution
// errors add `executing "NAME" at <.X>: `.
var (
	templateErrRE = regexp.MustCompile(`^template: [a-z]+:(\d+)(?::\d+)?: (.*)$`)
	execErrRE     = regexp.MustCompile(`^executing "[a-z]+" at <([^>]*)>: (.*)$`)
	unknownRE     = regexp.MustCompile(`^can't evaluate field (\w+) in type .*$`)
	startedRE     = regexp.MustCompile(`^(.*) started at [a-z]+:(\d+)$`)
)

func parseError(part string, err error) *ParseError {
	msg := err.Error()
	pe := &ParseError{Part: part, Reason: msg}
	m := templateErrRE.FindStringSubmatch(msg)
	if m == nil {
		return pe
	}
	pe.Line, _ = strconv.Atoi(m[1])
	pe.Reason = m[2]
	// An unclosed action is reported where the input ended; the line it
	// started on is the one to fix.
	if st := startedRE.FindStringSubmatch(pe.Reason); st != nil {
		pe.Line, _ = strconv.Atoi(st[2])
		pe.Reason = st[1]
	}
	if e := execErrRE.FindStringSubmatch(pe.Reason); e != nil {
		pe.Reason = "at " + e[1] + ": " + e[2]
		if u := unknownRE.FindStringSubmatch(e[2]); u != nil {
			pe.Reason = fmt.Sprintf("unknown placeholder {{.%s}}", u[1])
		}
	}
	return pe
}
