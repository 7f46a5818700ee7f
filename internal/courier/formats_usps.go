package courier

import "strings"

// matchIMpb: USPS numbers, with their GS1 mod 10 check digit.
//
//   - IMpb (Publication 199): a channel application identifier "9x", a
//     3-digit service type, a 6- or 9-digit mailer ID and a serial, 22 or
//     26 digits, and 30 digits under identifier "94";
//   - the 20-digit Delivery/Signature Confirmation numbers, checked as
//     printed or with the "91" application identifier they are printed
//     without (GS1 mod 10 over "91" + the number);
//   - any of these behind the routing application identifier "420" and a
//     5- or 9-digit ZIP code.
//
// IMpb numbers with identifier "92", service type 612 (Parcel Select) and a
// 9-digit mailer ID ("926129…") are also FedEx SmartPost (Ground Economy)
// parcels, which USPS delivers: FedEx is then a second candidate. Routed
// numbers are also issued by DHL eCommerce.
func matchIMpb(d *detection, s string) {
	if !allDigits(s) {
		return
	}
	if conf, ok := uspsBarcode(s); ok {
		d.verified("usps", conf, 1)
		if isSmartPost(s) {
			d.verified("fedex", 0.5, 6)
		}
		return
	}
	if len(s) < 3+5+20 || !strings.HasPrefix(s, "420") {
		return
	}
	for _, zip := range [2]int{5, 9} {
		inner := s[3+zip:]
		if _, ok := uspsBarcode(inner); !ok {
			continue
		}
		d.verified("usps", 0.9, 3)
		if isSmartPost(inner) {
			d.verified("fedex", 0.45, 9)
		}
		d.verified("dhl-ecommerce", 0.4, 3)
	}
}

// uspsBarcode reports whether s, all digits, is an unrouted USPS number
// with a correct check digit, and the confidence that it is USPS's.
func uspsBarcode(s string) (float64, bool) {
	switch n := len(s); {
	case n == 20 && (s[0] != '0' || s[1] != '0'): // "00" starts an SSCC
		if gs1Mod10(s) {
			return 0.75, true
		}
		if gs1Mod10Prefixed("91", s) {
			return 0.7, true
		}
	case (n == 22 || n == 26) && s[0] == '9' && gs1Mod10(s):
		return 0.9, true
	case n == 30 && s[0] == '9' && s[1] == '4' && gs1Mod10(s):
		return 0.85, true
	}
	return 0, false
}

// isSmartPost reports whether an IMpb number has FedEx SmartPost's shape:
// identifier 92, service type 612, a 9-digit mailer ID.
func isSmartPost(s string) bool {
	return (len(s) == 22 || len(s) == 26) && strings.HasPrefix(s, "926129")
}
