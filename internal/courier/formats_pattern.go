package courier

import "strings"

// matchPrefixed: formats recognized by a distinctive prefix and length,
// none with a published check digit.
func matchPrefixed(d *detection, s string) {
	n := len(s)
	switch {
	case n >= 6 && n <= 30 && strings.HasPrefix(s, "SBX") && allAlnum(s):
		// The built-in sandbox courier's test numbers (internal/carrier).
		d.pattern(SandboxSlug, 1.0)
	case n == 15 && (strings.HasPrefix(s, "TBA") || strings.HasPrefix(s, "TBC") || strings.HasPrefix(s, "TBM")) && allDigits(s[3:]):
		d.pattern("amazon", 0.95)
	case strings.HasPrefix(s, "1LS") && n >= 10 && n <= 18 && allAlnum(s[3:]):
		d.pattern("lasership", 0.9)
		d.pattern("ontrac", 0.4) // OnTrac now delivers LaserShip's network
	case n == 10 && s[0] == 'L' && allUpper(s[1:2]) && allDigits(s[2:]):
		d.pattern("lasership", 0.6)
	case n >= 18 && n <= 24 && strings.HasPrefix(s, "GM") && allDigits(s[2:]):
		d.pattern("dhl-ecommerce", 0.9)
	case n == 18 && strings.HasPrefix(s, "JD") && allDigits(s[2:]):
		d.pattern("yodel", 0.85)
	case n == 18 && strings.HasPrefix(s, "YT") && allDigits(s[2:]):
		d.pattern("yunexpress", 0.95)
	case n >= 13 && n <= 25 && strings.HasPrefix(s, "4PX") && allAlnum(s[3:]):
		d.pattern("4px", 0.95)
	case n >= 14 && n <= 18 && strings.HasPrefix(s, "LP") && allDigits(s[2:]):
		d.pattern("cainiao", 0.9)
	case n >= 13 && n <= 23 && strings.HasPrefix(s, "CNG") && allDigits(s[3:]):
		d.pattern("cainiao", 0.85)
	case n >= 11 && n <= 17 && strings.HasPrefix(s, "3S") && allUpper(s[2:6]) && allDigits(s[6:]):
		d.pattern("postnl", 0.85)
		d.pattern("postnl-3s", 0.6)
	case n == 22 && s[0] == 'D' && allDigits(s[1:]):
		d.pattern("canpar", 0.9)
	case n == 12 && allUpper(s[:3]) && allDigits(s[3:]):
		d.pattern("purolator", 0.7)
	case n == 16 && s[0] == 'H' && allAlnum(s) && digitCount(s) >= 8:
		d.pattern("hermes", 0.6)
	}
	matchAusPost(d, s)
}

// matchAusPost: Australia Post eParcel. The eye-readable article number is
// 16 characters: a 3-character merchant location ID, a 7-digit consignment
// suffix, 2-digit article, 2-digit service code, a last-article indicator
// (1 or 2) and a check digit whose algorithm is not public. The full
// barcode prefixes it with "997", an application ID ("001" or "016") and a
// 2-digit product code; a consignment number is the location ID and the
// 7-digit suffix. Location IDs containing a letter are required here, as
// all-digit ones are indistinguishable from other 16-digit formats (those
// are handled by matchPureDigits).
func matchAusPost(d *detection, s string) {
	switch n := len(s); {
	case n == 16 && eParcelArticle(s) && !allDigits(s[:3]):
		d.pattern("australia-post", 0.7)
	case n >= 24 && (strings.HasPrefix(s, "997001") || strings.HasPrefix(s, "997016")) && allDigits(s[6:8]) && eParcelArticle(s[8:24]):
		d.pattern("australia-post", 0.9)
	case n == 10 && allAlnum(s[:3]) && !allDigits(s[:3]) && allDigits(s[3:]):
		d.pattern("australia-post", 0.4)
	}
}

// eParcelArticle reports whether a is shaped like a 16-character eParcel
// article number.
func eParcelArticle(a string) bool {
	return allAlnum(a[:3]) && allDigits(a[3:]) && (a[14] == '1' || a[14] == '2')
}

// matchPureDigits: all-digit lengths that several carriers use without a
// check digit Waybill can verify. They rank below any verified candidate.
func matchPureDigits(d *detection, s string) {
	if !allDigits(s) {
		return
	}
	switch len(s) {
	case 11:
		d.pattern("gls", 0.5)
	case 12:
		d.pattern("purolator", 0.3)
		d.pattern("gls", 0.25)
	case 14:
		d.pattern("dpd", 0.5)
		if strings.HasPrefix(s, "15") {
			d.pattern("dpd-uk", 0.4)
		}
	case 16:
		d.pattern("canada-post", 0.45)
		d.pattern("hermes", 0.45)
		if eParcelArticle(s) {
			d.pattern("australia-post", 0.3)
		}
	}
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}
