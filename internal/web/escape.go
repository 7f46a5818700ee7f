package web

import (
	"strings"
	"unicode/utf8"
)

// The escapers below append a value the way html/template escapes a plain
// string (not one of its typed contents such as template.HTML) in the
// contexts the tracking page uses. They exist so that the page can be
// rendered without html/template's reflection; render_test.go checks their
// output against html/template byte for byte.

// htmlEntities is html/template's htmlReplacementTable: what replaces each
// of these bytes in text, in RCDATA (<title>) and in quoted attribute
// values. Every other rune, invalid UTF-8 included, is copied.
var htmlEntities = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// appendHTML appends s escaped for HTML text, RCDATA or a quoted attribute
// value, as html/template's htmlEscaper, rcdataEscaper and attrEscaper do
// for a string.
func appendHTML(b []byte, s string) []byte {
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || int(c) >= len(htmlEntities) || htmlEntities[c] == "" {
			// Multi-byte runes never map to the table (which ends below
			// U+0080), so they are copied byte by byte as they are.
			continue
		}
		b = append(b, s[written:i]...)
		b = append(b, htmlEntities[c]...)
		written = i + 1
	}
	return append(b, s[written:]...)
}

// appendURLAttr appends s as html/template writes it into a quoted URL
// attribute (href, src) where the value starts the URL: a URL whose scheme
// is not http, https or mailto becomes "#ZgotmplZ"; the rest is
// normalized (urlNormalizer) and then escaped for the attribute.
func appendURLAttr(b []byte, s string) []byte {
	if !isSafeURL(s) {
		return append(b, "#ZgotmplZ"...)
	}
	return appendURLPartAttr(b, s)
}

// appendURLPartAttr appends s as html/template writes it into a quoted URL
// attribute after a fixed start (mailto:{{.}}, /t/{{.}}/return): normalized
// without the scheme filter, then escaped for the attribute. Of the bytes
// the normalizer keeps, only '&' and '+' need an entity.
func appendURLPartAttr(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var repl string
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case c == '-' || c == '.' || c == '_' || c == '~':
			continue
		case c == '!' || c == '#' || c == '$' || c == '*' || c == ',' || c == '/' || c == ':' ||
			c == ';' || c == '=' || c == '?' || c == '@' || c == '[' || c == ']':
			continue
		case c == '&':
			repl = "&amp;"
		case c == '+':
			repl = "&#43;"
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b = append(b, s[written:i]...)
		if repl != "" {
			b = append(b, repl...)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&0xf])
		}
		written = i + 1
	}
	return append(b, s[written:]...)
}

// isSafeURL is html/template's: a URL without a scheme, or with http,
// https or mailto.
func isSafeURL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/':
			return true
		case ':':
			p := s[:i]
			return strings.EqualFold(p, "http") || strings.EqualFold(p, "https") || strings.EqualFold(p, "mailto")
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
