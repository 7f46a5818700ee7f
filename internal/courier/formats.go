package courier

import "strings"

// matchAll applies every tracking-number rule. Each rule looks at a
// normalized number and adds the couriers whose format it matches; a rule
// with a check digit adds nothing when the check fails. Confidences encode
// the defined order between couriers sharing a format (docs/COURIERS.md has
// the table). The calls are direct, not through a slice of functions, so
// that the detection stays on the stack.
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
// characters after "1Z"; Mail Innovations: "MI" + 6-digit mailer ID +
// 1 to 22 characters of the mailer's package ID.
func matchUPS(d *detection, s string) {
	switch {
	case len(s) == 18 && s[0] == '1' && s[1] == 'Z' && allAlnum(s) && upsMod10(s[2:]):
		d.verified("ups", 0.99)
	case len(s) >= 9 && len(s) <= 30 && s[0] == 'M' && s[1] == 'I' && allDigits(s[2:8]) && allAlnum(s[8:]):
		d.pattern("ups-mi", 0.8)
	}
}

// matchFedEx: Express 12 digits (mod 11, weights 1,3,7); 15 digits (GS1
// mod 10 as on Ground labels, or the Express mod 11); Ground "96" barcodes
// of 22 digits whose last 15 are a Ground number; SSCC-18 behind AI "00";
// door tags "DT" + 12 digits.
func matchFedEx(d *detection, s string) {
	switch len(s) {
	case 12:
		if allDigits(s) && fedexMod11(s) {
			d.verified("fedex", 0.9)
		}
	case 14:
		if s[0] == 'D' && s[1] == 'T' && allDigits(s[2:]) {
			d.pattern("fedex", 0.9)
		}
	case 15:
		if allDigits(s) && (gs1Mod10(s) || fedexMod11(s)) {
			d.verified("fedex", 0.9)
		}
	case 20:
		if s[0] == '0' && s[1] == '0' && gs1Mod10(s[2:]) {
			if strings.HasPrefix(s, "00340434") { // SSCC under Deutsche Post DHL's GS1 company prefix
				d.verified("dhl-germany", 0.9)
				d.verified("fedex", 0.4)
			} else {
				d.verified("fedex", 0.8)
			}
		}
	case 22:
		if s[0] == '9' && s[1] == '6' && allDigits(s) && gs1Mod10(s[7:]) {
			d.verified("fedex", 0.95)
		}
	}
}

// matchIMpb: USPS Intelligent Mail package barcodes, GS1 mod 10 over the
// tracking part: 20, 22 and 26 digits, and 30 or 34 digits that start with
// the routing application identifier "420" and a 5- or 9-digit ZIP code.
// IMpb numbers under channel identifier "92" are also issued for FedEx
// SmartPost (Ground Economy) parcels; routed numbers for DHL eCommerce.
func matchIMpb(d *detection, s string) {
	if !allDigits(s) {
		return
	}
	switch n := len(s); {
	case n == 20 && !strings.HasPrefix(s, "00") && gs1Mod10(s):
		d.verified("usps", 0.75)
	case (n == 22 || n == 26) && s[0] == '9' && gs1Mod10(s):
		d.verified("usps", 0.9)
		if s[1] == '2' {
			d.verified("fedex", 0.5)
		}
	case (n == 30 || n == 34) && strings.HasPrefix(s, "420"):
		// 30 = 420 + ZIP5 + 22; 34 = 420 + ZIP9 + 22 or 420 + ZIP5 + 26.
		inner := ""
		if gs1Mod10(s[8:]) {
			inner = s[8:]
		} else if n == 34 && gs1Mod10(s[12:]) {
			inner = s[12:]
		}
		if inner == "" || inner[0] != '9' {
			return
		}
		d.verified("usps", 0.9)
		if inner[1] == '2' {
			d.verified("fedex", 0.45)
		}
		d.verified("dhl-ecommerce", 0.4)
	}
}

// matchDHLExpress: 10-digit waybills whose last digit is the first nine mod
// 7; "JD" + 18 digits and "JJD" + 18 to 20 digits piece identifiers.
func matchDHLExpress(d *detection, s string) {
	switch {
	case len(s) == 10 && allDigits(s) && dhlMod7(s):
		d.verified("dhl", 0.85)
	case len(s) == 20 && strings.HasPrefix(s, "JD") && allDigits(s[2:]):
		d.pattern("dhl", 0.7)
	case len(s) >= 21 && len(s) <= 23 && strings.HasPrefix(s, "JJD") && allDigits(s[3:]):
		d.pattern("dhl", 0.7)
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
		d.verified("china-ems", 0.95)
		d.verified("china-post", 0.7)
		return
	}
	d.verified(slug, 0.97)
	if country == "DE" { // Deutsche Post items also travel in the DHL parcel network
		d.verified("dhl-germany", 0.6)
	}
}

// matchRoyalMailDomestic: Royal Mail's domestic 11-character form, an S10
// identifier without the country code.
func matchRoyalMailDomestic(d *detection, s string) {
	if len(s) == 11 && allUpper(s[:2]) && allDigits(s[2:]) && s10CheckDigit(s[2:10]) == int(s[10]-'0') {
		d.verified("royal-mail", 0.8)
	}
}

// matchOnTrac: "C" + 14 digits with the UPS-style mod 10 over the letter
// and the first 13 digits; "D" + 14 digits (no published check digit).
func matchOnTrac(d *detection, s string) {
	if len(s) != 15 || !allDigits(s[1:]) {
		return
	}
	switch s[0] {
	case 'C':
		if upsMod10(s) {
			d.verified("ontrac", 0.95)
		}
	case 'D':
		d.pattern("ontrac", 0.6)
	}
}

// matchDPD: a 14-digit DPD parcel number followed by its ISO 7064
// MOD 37,36 check character (15 characters). The bare 14 digits are
// handled by matchPureDigits.
func matchDPD(d *detection, s string) {
	if len(s) == 15 && allDigits(s[:14]) && iso7064Mod3736(s[:14]) == s[14] {
		d.verified("dpd", 0.9)
	}
}
