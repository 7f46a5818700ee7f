package notify

import (
	"strings"
	"unicode/utf8"
)

// One SMS segment holds 160 GSM-7 septets; anything outside GSM-7 makes the
// whole message UCS-2, 70 characters a segment.
const smsSegment = 160

// gsmBasic is the GSM 03.38 basic character set (one septet each);
// gsmExtended are the characters that take an escape and a septet.
const (
	gsmBasic    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtended = "^{}\\[~]|€\f"
)

// gsmFold replaces common characters outside GSM-7 (accents of French and
// Spanish, typographic quotes) by their closest GSM-7 character, so that a
// message stays in 160-character segments.
var gsmFold = strings.NewReplacer(
	"á", "a", "í", "i", "ó", "o", "ú", "u", "â", "a", "ê", "e", "î", "i", "ô", "o", "û", "u",
	"ë", "e", "ï", "i", "ÿ", "y", "ç", "c", "œ", "oe", "Á", "A", "Í", "I", "Ó", "O", "Ú", "U",
	"À", "A", "È", "E", "Ê", "E", "Â", "A", "Ô", "O", "Î", "I", "Û", "U", "Œ", "OE",
	"’", "'", "‘", "'", "“", "\"", "”", "\"", "«", "\"", "»", "\"", "–", "-", "—", "-", "…", "...",
	"\u00a0", " ", "\u202f", " ",
)

// septets returns the GSM-7 length of s, and false when s holds a
// character outside GSM-7.
func septets(s string) (int, bool) {
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtended, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

// FitSMS keeps a message to one GSM-7 segment where it can: it folds
// accented and typographic characters into GSM-7, and when the text is
// still too long it shortens the words before the first link (ending them
// with "..") and keeps every link whole. A message that cannot fit (links
// alone too long, or characters with no GSM-7 equivalent) is sent as it is,
// in several segments.
func FitSMS(body string) string {
	folded := gsmFold.Replace(body)
	n, ok := septets(folded)
	if !ok {
		return body
	}
	if n <= smsSegment {
		return folded
	}
	i := strings.Index(folded, "http://")
	if j := strings.Index(folded, "https://"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 {
		return folded
	}
	head, tail := strings.TrimRight(folded[:i], " "), " "+folded[i:]
	tailLen, _ := septets(tail)
	room := smsSegment - tailLen - 2 // ".."
	if room < 10 {
		return folded
	}
	for len(head) > 0 {
		if l, _ := septets(head); l <= room {
			break
		}
		cut := strings.LastIndexByte(head, ' ')
		if cut <= 0 {
			_, size := utf8.DecodeLastRuneInString(head)
			head = head[:len(head)-size]
			continue
		}
		head = head[:cut]
	}
	return strings.TrimRight(head, " .,;:") + ".." + tail
}
