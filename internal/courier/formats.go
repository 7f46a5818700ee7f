package courier

import "strings"

// matchAll applies every tracking-number rule. Each rule looks at a
// normalized number and adds the couriers whose format it matches; a rule
// with a check digit adds nothing when the check fails. Confidences encode
// the defined order between couriers sharing a format (docs/COURIERS.md has
// the table); the last argument of verified and pattern is the number of
// characters the format fixes, which orders equal confidences. The calls
// are direct, not through a slice of functions, so that the detection
// stays on the stack.
func matchAll(d *detection, s string) {
	matchUPS(d, s)
	matchFedEx(d, s)
	matchIMpb(d, s)
	matchDHLExpress(d, s)
	matchS10(d, s)
	matchRoyalMailDomestic(d, s)
	matchPrefixed(d, s)
	matchOnTrac(d, s)
	matchDPD(d, s)
	matchPureDigits(d, s)
}

// matchUPS: "1Z" + 6-character shipper number + 2-digit service + 7-digit
// package number + check digit (18 characters), UPS mod 10 over the 15
// characters after "1Z"; waybill numbers, a service letter (A, H, J, K, T
// or V) + 9 digits + a check digit by the same mod 10 over the digits (11
// characters); Mail Innovations: "MI" + 6-digit mailer ID + 1 to 22
// characters of the mailer's package ID.
func matchUPS(d *detection, s string) {
	switch {
	case len(s) == 18 && s[0] == '1' && s[1] == 'Z' && allAlnum(s) && upsMod10(s[2:]):
		d.verified("ups", 0.99, 2)
	case len(s) == 11 && strings.IndexByte("AHJKTV", s[0]) >= 0 && allDigits(s[1:]) && upsMod10(s[1:]):
		d.verified("ups", 0.8, 1)
	case len(s) >= 9 && len(s) <= 30 && s[0] == 'M' && s[1] == 'I' && allDigits(s[2:8]) && allAlnum(s[8:]):
		d.pattern("ups-mi", 0.8, 2)
	}
}

// matchFedEx: Express 12 digits (mod 11, weights 1,3,7); 15 digits (GS1
// mod 10 as on Ground labels, or the Express mod 11); Ground "96" barcodes
// of 22 digits whose last 15 are a Ground number; the 34-digit barcodes
// whose last 14 digits are a tracking number with the Express mod 11
// (Express: first digit 0-8; Ground GSN: "96"); the 32-digit legacy ASTRA
// barcode ("3…", an Express number at positions 17-28); SSCC-18, bare or
// behind application identifier "00"; door tags "DT" + 12 digits.
func matchFedEx(d *detection, s string) {
	switch len(s) {
	case 12:
		if allDigits(s) && fedexMod11(s) {
			d.verified("fedex", 0.9, 0)
		}
	case 14:
		if s[0] == 'D' && s[1] == 'T' && allDigits(s[2:]) {
			d.pattern("fedex", 0.9, 2)
		}
	case 15:
		if allDigits(s) && (gs1Mod10(s) || fedexMod11(s)) {
			d.verified("fedex", 0.9, 0)
		}
	case 18:
		if gs1Mod10(s) {
			matchSSCC(d, s, 0.6, 0)
		}
	case 20:
		if s[0] == '0' && s[1] == '0' && gs1Mod10(s[2:]) {
			matchSSCC(d, s[2:], 0.7, 2)
		}
	case 22:
		if s[0] == '9' && s[1] == '6' && allDigits(s) && gs1Mod10(s[7:]) {
			d.verified("fedex", 0.95, 2)
		}
	case 32:
		if s[0] == '3' && allDigits(s) && fedexMod11(s[16:28]) {
			d.verified("fedex", 0.8, 1)
		}
	case 34:
		if !allDigits(s) || !fedexMod11(s[20:]) {
			return
		}
		if s[0] == '9' && s[1] == '6' {
			d.verified("fedex", 0.95, 2) // Ground GSN barcode
		} else if s[0] != '9' {
			d.verified("fedex", 0.85, 0) // Express barcode
		}
	}
}

// matchSSCC: an SSCC-18 (GS1 mod 10 over its 18 digits) identifies a
// logistic unit, not a carrier: FedEx Ground tracks them, and Deutsche Post
// DHL issues them for DHL Paket under its GS1 company prefix 340434.
// conf is FedEx's confidence; fixed counts characters in front of sscc.
func matchSSCC(d *detection, sscc string, conf float64, fixed int) {
	if strings.HasPrefix(sscc, "340434") {
		d.verified("dhl-germany", 0.9, fixed+6)
		d.verified("fedex", 0.4, fixed)
		return
	}
	d.verified("fedex", conf, fixed)
	d.verified("dhl-germany", 0.3, fixed)
}

// matchDHLExpress: 10- and 11-digit waybills whose last digit is the
// others mod 7; piece identifiers "JD" + 18 digits, "JJD" + 9-10 or 18-20
// digits and "JVGL" + 9-20 digits. ("JJD" + 16 digits is Yodel's, in
// matchPrefixed.)
func matchDHLExpress(d *detection, s string) {
	switch n := len(s); {
	case n == 10 && allDigits(s) && dhlMod7(s):
		d.verified("dhl", 0.85, 0)
	case n == 11 && allDigits(s) && dhlMod7(s):
		d.verified("dhl", 0.8, 0)
	case n == 20 && strings.HasPrefix(s, "JD") && allDigits(s[2:]):
		d.pattern("dhl", 0.7, 2)
	case (n == 12 || n == 13 || n >= 21 && n <= 23) && strings.HasPrefix(s, "JJD") && allDigits(s[3:]):
		d.pattern("dhl", 0.75, 3)
	case n >= 13 && n <= 24 && strings.HasPrefix(s, "JVGL") && allDigits(s[4:]):
		d.pattern("dhl", 0.75, 4)
	}
}

// matchS10: UPU S10 item identifiers, two letters (service indicator), eight
// serial digits, the S10 check digit and the ISO 3166 alpha-2 code of the
// issuing post, mapped to that post's courier.
func matchS10(d *detection, s string) {
	if len(s) != 13 || !allUpper(s[:2]) || !allUpper(s[11:]) || !allDigits(s[2:11]) {
		return
	}
	if s10CheckDigit(s[2:10]) != int(s[10]-'0') {
		return
	}
	country := s[11:]
	slug, ok := s10Posts[country]
	if !ok {
		return
	}
	if country == "CN" && s[0] == 'E' { // EMS items from China are tracked by China EMS
		d.verified("china-ems", 0.95, 3)
		d.verified("china-post", 0.7, 2)
		return
	}
	d.verified(slug, 0.97, 2)
	if country == "DE" { // Deutsche Post items also travel in the DHL parcel network
		d.verified("dhl-germany", 0.6, 2)
	}
}

// matchRoyalMailDomestic: Royal Mail's domestic 11-character form, an S10
// identifier without the country code.
func matchRoyalMailDomestic(d *detection, s string) {
	if len(s) == 11 && allUpper(s[:2]) && allDigits(s[2:]) && s10CheckDigit(s[2:10]) == int(s[10]-'0') {
		d.verified("royal-mail", 0.8, 0)
	}
}

// matchOnTrac: "C" or "D" + 14 digits, the last a check digit by the UPS
// mod 10 over the letter and the first 13 digits (the letter counting as
// 4 or 5, as UPS values letters).
func matchOnTrac(d *detection, s string) {
	if len(s) == 15 && (s[0] == 'C' || s[0] == 'D') && allDigits(s[1:]) && upsMod10(s) {
		d.verified("ontrac", 0.95, 1)
	}
}

// matchDPD: a 14-digit DPD parcel number followed by its ISO 7064
// MOD 37,36 check character (15 characters), and the full 28-character
// barcode (7-digit destination postcode, the 14-digit parcel number, 3-digit
// service and 3-digit country codes, then the check character over all
// 27 digits). The bare 14 digits are handled by matchPureDigits.
func matchDPD(d *detection, s string) {
	switch len(s) {
	case 15:
		if allDigits(s[:14]) && iso7064Mod3736(s[:14]) == s[14] {
			d.verified("dpd", 0.9, 0)
		}
	case 28:
		if allDigits(s[:27]) && iso7064Mod3736(s[:27]) == s[27] {
			d.verified("dpd", 0.9, 0)
		}
	}
}
