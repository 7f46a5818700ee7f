package carrierhttp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
)

// MaxText is the most bytes of one piece of carrier text (a message, a
// city) kept in a checkpoint.
const MaxText = 512

// Clean makes carrier text safe to store and show: invalid UTF-8 and
// control characters become spaces, runs of spaces become one, and the
// result is trimmed and cut to MaxText bytes on a rune boundary.
func Clean(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, " ") {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > MaxText {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Reason shortens a carrier's error message for an error value or a
// merchant-facing refusal: cleaned and cut to 200 bytes.
func Reason(s string) string {
	s = Clean(s)
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Place is a checkpoint location as a carrier gives it.
type Place struct {
	City, State, Zip, Country string // Country: ISO 3166-1 alpha-2 or alpha-3, or a name
}

// Fill sets c's City, State, Zip, CountryISO3, CountryName and Location
// from p, all cleaned. A country that is not an ISO code is kept in
// Location only.
func (p Place) Fill(c *waybill.Checkpoint) {
	c.City, c.State, c.Zip = Clean(p.City), Clean(p.State), Clean(p.Zip)
	country := Clean(p.Country)
	if iso3, ok := waybill.NormalizeCountry(country); ok {
		c.CountryISO3, c.CountryName = iso3, waybill.CountryName(iso3)
		country = c.CountryName
	}
	var parts []string
	for _, s := range []string{c.City, c.State, c.Zip, country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	c.Location = strings.Join(parts, ", ")
}

// Time returns s, trimmed, when the core reads it as a checkpoint time
// (waybill.ParseCheckpointTime: an ISO 8601 form, years 1990–2200), and
// "" otherwise, so that a connector never hands the core a time it would
// refuse.
func Time(s string) string {
	s = strings.TrimSpace(s)
	if _, err := waybill.ParseCheckpointTime(s); err != nil {
		return ""
	}
	return s
}
