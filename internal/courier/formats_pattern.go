package courier

import "strings"

// matchPrefixed: formats recognized by a distinctive prefix and length,
// none with a published check digit.
func matchPrefixed(d *detection, s string) {
	n := len(s)
	switch {
	case n >= 6 && n <= 30 && strings.HasPrefix(s, "SBX") && allAlnum(s):
		// The built-in sandbox courier's test numbers (internal/carrier).
		d.pattern(SandboxSlug, 1.0, 3)
	case n == 15 && (strings.HasPrefix(s, "TBA") || strings.HasPrefix(s, "TBC") || strings.HasPrefix(s, "TBM")) && allDigits(s[3:]):
		d.pattern("amazon", 0.95, 3)
	case n == 11 && (s[0] == 'A' || s[0] == 'C' || s[0] == 'F') && allDigits(s[1:]):
		// Amazon Shipping's international numbers; "A…" also has UPS's waybill shape.
		d.pattern("amazon", 0.5, 1)
	case strings.HasPrefix(s, "1LS") && n >= 10 && n <= 18 && allAlnum(s[3:]):
		matchLaserShip(d, s)
	case n == 10 && s[0] == 'L' && strings.IndexByte("AEHINX", s[1]) >= 0 && s[2] >= '1' && s[2] <= '3' && allDigits(s[2:]):
		d.pattern("lasership", 0.6, 1)
	case n >= 12 && n <= 41 && strings.HasPrefix(s, "GM") && allAlnum(s[2:]) && hasDigit(s[2:]):
		if n >= 18 && n <= 24 && allDigits(s[2:]) {
			d.pattern("dhl-ecommerce", 0.9, 2)
		} else {
			d.pattern("dhl-ecommerce", 0.8, 2)
		}
	case n == 18 && strings.HasPrefix(s, "JD") && allDigits(s[2:]):
		d.pattern("yodel", 0.85, 2)
	case n == 19 && strings.HasPrefix(s, "JJD") && allDigits(s[3:]):
		d.pattern("yodel", 0.85, 3)
	case n == 18 && strings.HasPrefix(s, "YT") && allDigits(s[2:]):
		d.pattern("yunexpress", 0.95, 2)
	case n >= 13 && n <= 25 && strings.HasPrefix(s, "4PX") && allAlnum(s[3:]):
		d.pattern("4px", 0.95, 3)
	case n >= 14 && n <= 18 && strings.HasPrefix(s, "LP") && allDigits(s[2:]):
		d.pattern("cainiao", 0.9, 2)
	case n >= 13 && n <= 23 && strings.HasPrefix(s, "CNG") && allDigits(s[3:]):
		d.pattern("cainiao", 0.85, 3)
	case n == 13 && strings.HasPrefix(s, "LTN") && strings.HasSuffix(s, "N1") && allDigits(s[3:11]):
		d.pattern("landmark-global", 0.9, 5)
	case n >= 11 && n <= 17 && strings.HasPrefix(s, "3S") && allUpper(s[2:6]) && allDigits(s[6:]):
		d.pattern("postnl", 0.85, 2)
		d.pattern("postnl-3s", 0.6, 2)
	case n == 22 && strings.IndexByte("CDKLSUXZ", s[0]) >= 0 && allDigits(s[1:]):
		d.pattern("canpar", 0.9, 1)
	case n == 12 && allUpper(s[:3]) && allDigits(s[3:]):
		d.pattern("purolator", 0.7, 0)
	case n == 16 && s[0] == 'H' && allAlnum(s) && digitCount(s) >= 8:
		d.pattern("hermes", 0.6, 1)
	}
	matchAusPost(d, s)
}

// matchLaserShip: LaserShip's "1LS" labels, now delivered by OnTrac:
// "1LS7" + 1 or 2 + 10 digits; "1LS7" + 1 or 2 + 2 digits + "01" + 1-4 +
// 6 digits + "-1" (the dash dropped by Normalize); "1LSCX" + 10 characters;
// other "1LS" + 7 to 15 characters at a lower confidence, except where a
// number has the shape of the first formats with a wrong fixed character.
func matchLaserShip(d *detection, s string) {
	n := len(s)
	conf, fixed := 0.6, 3
	switch {
	case n == 15 && s[3] == '7' && (s[4] == '1' || s[4] == '2') && allDigits(s[5:]):
		conf, fixed = 0.9, 5
	case n == 17 && s[3] == '7' && (s[4] == '1' || s[4] == '2') && allDigits(s[5:]) && s[7] == '0' && s[8] == '1' && s[9] >= '1' && s[9] <= '4':
		if s[16] != '1' {
			return
		}
		conf, fixed = 0.9, 8
	case n == 15 && s[3] == 'C' && s[4] == 'X':
		conf, fixed = 0.9, 5
	case s[3] == 'C':
		return
	}
	d.pattern("lasership", conf, fixed)
	d.pattern("ontrac", conf-0.5, fixed) // OnTrac now delivers LaserShip's network
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
		d.pattern("australia-post", 0.7, 0)
	case n >= 24 && (strings.HasPrefix(s, "997001") || strings.HasPrefix(s, "997016")) && allDigits(s[6:8]) && eParcelArticle(s[8:24]):
		d.pattern("australia-post", 0.9, 6)
	case n == 10 && allAlnum(s[:3]) && !allDigits(s[:3]) && allDigits(s[3:]):
		d.pattern("australia-post", 0.4, 0)
	}
}

// eParcelArticle reports whether a is shaped like a 16-character eParcel
// article number.
func eParcelArticle(a string) bool {
	return allAlnum(a[:3]) && allDigits(a[3:]) && (a[14] == '1' || a[14] == '2')
}

// matchPureDigits: all-digit lengths that several carriers use, most
// without a check digit Waybill can verify; those rank below any verified
// candidate of the same number.
//
//   - 11 digits: GLS; Old Dominion PRO numbers ("072", "777", "778", "780"
//     or "80" (guaranteed) + digits, Luhn check digit);
//   - 12 digits: Purolator (first digit 0-5, Luhn check digit), GLS;
//   - 14 digits: DPD (DPD UK when starting "15"), DHL eCommerce;
//   - 16 digits: Canada Post (GS1 mod 10 check digit), Evri, and Australia
//     Post eParcel articles with an all-digit location ID.
func matchPureDigits(d *detection, s string) {
	if !allDigits(s) {
		return
	}
	switch len(s) {
	case 11:
		d.pattern("gls", 0.5, 0)
		if oldDominionPrefix(s) && luhn(s) {
			d.verified("old-dominion", 0.82, 2)
		}
	case 12:
		if s[0] <= '5' && luhn(s) {
			d.verified("purolator", 0.35, 0)
		}
		d.pattern("gls", 0.25, 0)
	case 14:
		d.pattern("dpd", 0.5, 0)
		if strings.HasPrefix(s, "15") {
			d.pattern("dpd-uk", 0.4, 2)
		}
		d.pattern("dhl-ecommerce", 0.35, 0)
	case 16:
		if gs1Mod10(s) {
			d.verified("canada-post", 0.45, 0)
		}
		d.pattern("hermes", 0.45, 0)
		if eParcelArticle(s) {
			d.pattern("australia-post", 0.3, 0)
		}
	}
}

// oldDominionPrefix reports whether an 11-digit number starts as Old
// Dominion's PRO numbers do.
func oldDominionPrefix(s string) bool {
	switch s[:3] {
	case "072", "777", "778", "780":
		return true
	}
	return s[0] == '8' && s[1] == '0'
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
