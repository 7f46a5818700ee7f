package courier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize turns what a user pasted into the tracking number Waybill stores
// and shows:
//
//   - non-alphanumeric characters around the number are trimmed;
//   - a label ending in ':' or '#' is dropped ("Tracking #: 1Z…" → "1Z…"),
//     provided a digit follows it;
//   - leading label words ("tracking", "number", "no", "awb", …) are dropped;
//   - spaces and dashes inside the number are removed;
//   - ASCII letters are upper-cased (other characters are kept as they are).
//
// Normalize is idempotent: Normalize(Normalize(s)) == Normalize(s). It does
// not allocate when s is already normalized.
func Normalize(raw string) string {
	if isNormalized(raw) {
		return raw
	}
	s := trimNonAlnum(raw)
	if i := strings.LastIndexAny(s, ":#"); i >= 0 && hasDigit(s[i+1:]) {
		s = trimNonAlnum(s[i+1:])
	}
	s = dropLabelWords(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isSpace(r) || isDash(r):
		case 'a' <= r && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return trimNonAlnum(b.String())
}

// isNormalized reports whether s is non-empty and only upper-case ASCII
// letters and digits, the common case that needs no work.
func isNormalized(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// labelWords are words that precede a number when users paste a whole line
// from an email ("Tracking number: …", "AWB no. …"). Compared case-insensitively.
var labelWords = []string{
	"awb", "code", "consignment", "id", "n", "no", "nr", "num", "number",
	"parcel", "ref", "reference", "shipment", "track", "tracking", "waybill",
}

// dropLabelWords drops leading label words, keeping at least one word.
func dropLabelWords(s string) string {
	for {
		word, rest, found := cutSpace(s)
		if !found || !isLabelWord(word) || strings.TrimFunc(rest, isSpace) == "" {
			return s
		}
		s = strings.TrimLeftFunc(rest, isSpace)
	}
}

// cutSpace splits s at its first space.
func cutSpace(s string) (before, after string, found bool) {
	i := strings.IndexFunc(s, isSpace)
	if i < 0 {
		return s, "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[:i], s[i+size:], true
}

func isLabelWord(w string) bool {
	bare := strings.TrimRight(w, ".")
	if len(bare) == 1 && bare == w {
		// A lone letter ("N 1 2 3…") is the first character of a number
		// typed with spaces between its characters; "N." stays a label.
		return false
	}
	w = bare
	for _, l := range labelWords {
		if strings.EqualFold(w, l) {
			return true
		}
	}
	return false
}

// trimNonAlnum trims everything but ASCII letters and digits from both ends.
func trimNonAlnum(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !isASCIIAlnum(r) })
}

func isASCIIAlnum(r rune) bool {
	return ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' }

func isDash(r rune) bool {
	return r == '-' || (r >= '\u2010' && r <= '\u2015') || r == '\u2212' || r == '\ufe63' || r == '\uff0d'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}
