package waybill

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The rules every string of an input obeys, whichever face it came through:
// valid UTF-8, no control characters (free text may hold tab and newline),
// and a length limit. They are checked before anything reaches a database,
// so that both engines answer the same (PostgreSQL refuses a NUL in text;
// SQLite stores it).

// Length limits of input strings, in bytes.
const (
	MaxTextLen        = 512  // most single-line fields and free text
	MaxCodeLen        = 64   // slugs, ids, enum values, dates
	MaxCustomKeyLen   = 256  // a custom_fields key
	MaxCustomValueLen = 2048 // a custom_fields value
	MaxTagLen         = 256  // one shipment tag
	MaxEmailLen       = 254  // one email address (RFC 5321 path limit)
	MaxKeywordLen     = 256  // a list keyword
	MaxRecipients     = 10   // emails, and smses, of one tracking
	MaxShipmentTags   = 50   // shipment_tags of one tracking
	MaxCustomFields   = 100  // custom_fields keys of one tracking
	MaxCandidates     = 20   // candidate slugs of a create
	MaxFilterValues   = 50   // values of one list filter
)

// checkLine refuses a string that is not valid UTF-8, holds a control
// character, or is longer than limit bytes. name is the field, for the
// message.
func checkLine(name, s string, limit int) error {
	return checkString(name, s, limit, false)
}

// checkText is checkLine for free text: tab, newline and carriage return
// are allowed.
func checkText(name, s string, limit int) error {
	return checkString(name, s, limit, true)
}

func checkString(name, s string, limit int, multiline bool) error {
	if len(s) > limit {
		return fieldInvalid("The value of %s is invalid: it is longer than %d characters.", name, limit)
	}
	if !utf8.ValidString(s) {
		return fieldInvalid("The value of %s is invalid: it is not valid UTF-8.", name)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\t' || r == '\n' || r == '\r')) {
			return fieldInvalid("The value of %s is invalid: it contains a control character.", name)
		}
	}
	return nil
}

// CleanText reports whether s is valid UTF-8 with no control character
// other than tab, newline and carriage return: the rule for free text, at
// any length. What is not clean can never be stored alike on both engines
// (PostgreSQL refuses a NUL in text; SQLite keeps it).
func CleanText(s string) bool {
	return checkString("", s, len(s), true) == nil
}

// CleanLine reports whether s is valid UTF-8 of at most limit bytes with no
// control character: what a value that reaches a query must be.
func CleanLine(s string, limit int) bool {
	return checkLine("", s, limit) == nil
}

func fieldInvalid(format string, args ...any) error {
	return Invalid(ReasonFieldInvalid, format, args...)
}

// NormalizeCountry reads an ISO 3166-1 code, alpha-2 or alpha-3 in any case,
// and returns its alpha-3 code, and whether it is one. "" is not a country.
func NormalizeCountry(code string) (string, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	switch len(code) {
	case 2:
		return CountryISO3(code)
	case 3:
		if _, ok := CountryISO2(code); ok {
			return code, true
		}
	}
	return "", false
}

// datePattern is the shape of an ISO 8601 date or date and time that inputs
// accept: a date, optionally a time (with or without seconds and fraction),
// optionally a zone.
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$`)

// dateLayouts are the layouts a date of datePattern's shape parses with
// (the space separator is read as T first). time.Parse checks the ranges:
// no 30 February, no hour 99.
var dateLayouts = []string{
	"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z0700", "2006-01-02T15:04:05Z0700",
}

// Dates before minYear or after maxYear are taken for mistakes.
const (
	minYear = 1970
	maxYear = 2200
)

// ValidDate reports whether s is a real ISO 8601 date, or date and time,
// between the years 1970 and 2200.
func ValidDate(s string) bool {
	if !datePattern.MatchString(s) {
		return false
	}
	s = strings.Replace(s, " ", "T", 1)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Year() >= minYear && t.Year() <= maxYear
		}
	}
	return false
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,20}$`)

// Recipients keeps the emails and phone numbers that a tracking's
// notification lists accept (the rules of TrackingFields.Validate), in
// order, without repeats, and at most MaxRecipients of each. It is for
// recipients copied from another record, such as a sale's customer, where
// one unusable address must not stop the tracking from being made.
func Recipients(emails, phones []string) (okEmails, okPhones []string) {
	seen := map[string]bool{}
	for _, e := range emails {
		e = strings.TrimSpace(e)
		if e == "" || seen[e] || len(okEmails) == MaxRecipients || validateRecipients([]string{e}, nil) != nil {
			continue
		}
		seen[e] = true
		okEmails = append(okEmails, e)
	}
	for _, p := range phones {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] || len(okPhones) == MaxRecipients || validateRecipients(nil, []string{p}) != nil {
			continue
		}
		seen[p] = true
		okPhones = append(okPhones, p)
	}
	return okEmails, okPhones
}

// validateRecipients checks a list of notification emails and phone numbers.
func validateRecipients(emails, smses []string) error {
	if len(emails) > MaxRecipients {
		return fieldInvalid("emails has more than %d addresses.", MaxRecipients)
	}
	for _, e := range emails {
		if len(e) > MaxEmailLen || !utf8.ValidString(e) {
			return fieldInvalid("emails: an address is not an email address.")
		}
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return fieldInvalid("emails: %q is not an email address.", e)
		}
	}
	if len(smses) > MaxRecipients {
		return fieldInvalid("smses has more than %d numbers.", MaxRecipients)
	}
	for _, s := range smses {
		if !phonePattern.MatchString(s) {
			return fieldInvalid("smses: %q is not a phone number.", s)
		}
	}
	return nil
}
