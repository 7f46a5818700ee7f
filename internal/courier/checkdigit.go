package courier

// Check-digit algorithms, each written from the published specification
// named in its comment. Each takes the whole normalized number (data and
// check character) and reports whether the check character is right. None
// allocates.

// gs1Mod10 verifies a GS1 mod 10 check digit (GS1 General Specifications
// §7.9, used by SSCC-18, USPS IMpb and FedEx Ground): weights 3 and 1
// alternate leftwards from the digit next to the check digit.
func gs1Mod10(s string) bool {
	if len(s) < 2 || !allDigits(s) {
		return false
	}
	sum := 0
	for i, w := len(s)-2, 3; i >= 0; i, w = i-1, 4-w {
		sum += int(s[i]-'0') * w
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// upsValue is the digit UPS assigns to a character in a 1Z number: digits
// stand for themselves, letter L for (ASCII(L) - 63) mod 10 (A=2 … I=0, J=1 …).
func upsValue(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c-63) % 10
}

// upsMod10 verifies the UPS check digit of a 1Z number's body (the
// characters after "1Z", check digit last), also used by OnTrac C numbers:
// odd positions weigh 1, even positions 2, counting from the left.
func upsMod10(body string) bool {
	n := len(body) - 1
	if n < 1 || !isDigit(body[n]) {
		return false
	}
	sum := 0
	for i := 0; i < n; i++ {
		c := body[i]
		if !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
		v := upsValue(c)
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return (10-sum%10)%10 == int(body[n]-'0')
}

// fedexMod11 verifies a FedEx Express check digit: weights 1, 3, 7 repeat
// leftwards from the digit next to the check digit; the check digit is the
// sum mod 11, with 10 written as 0.
func fedexMod11(s string) bool {
	if len(s) < 2 || !allDigits(s) {
		return false
	}
	weights := [3]int{1, 3, 7}
	sum := 0
	for i, k := len(s)-2, 0; i >= 0; i, k = i-1, k+1 {
		sum += int(s[i]-'0') * weights[k%3]
	}
	return sum%11%10 == int(s[len(s)-1]-'0')
}

// dhlMod7 verifies a DHL Express 10-digit waybill: the check digit is the
// first nine digits, read as a number, mod 7.
func dhlMod7(s string) bool {
	if len(s) < 2 || !allDigits(s) {
		return false
	}
	rem := 0
	for i := 0; i < len(s)-1; i++ {
		rem = (rem*10 + int(s[i]-'0')) % 7
	}
	return rem == int(s[len(s)-1]-'0')
}

// s10Weights are the UPU S10 weights for the eight serial digits.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// s10CheckDigit computes the UPU S10 check digit for eight serial digits
// (UPU standard S10 §5): 11 - (weighted sum mod 11), with 10 written as 0
// and 11 as 5. It returns -1 when serial is not eight digits.
func s10CheckDigit(serial string) int {
	if len(serial) != 8 || !allDigits(serial) {
		return -1
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(serial[i]-'0') * s10Weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 0
	case 11:
		return 5
	default:
		return c
	}
}

// iso7064Mod3736 computes the ISO/IEC 7064 MOD 37,36 (hybrid) check
// character over digits and upper-case letters, as DPD prints it after the
// 14-digit parcel number. It returns 0 for a character outside 0-9A-Z.
func iso7064Mod3736(s string) byte {
	const m = 36
	p := m
	for i := 0; i < len(s); i++ {
		var v int
		switch c := s[i]; {
		case isDigit(c):
			v = int(c - '0')
		case 'A' <= c && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0
		}
		p += v
		if p > m {
			p -= m
		}
		p = p * 2 % (m + 1)
	}
	v := (m + 1 - p) % m
	if v < 10 {
		return byte('0' + v)
	}
	return byte('A' + v - 10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// gs1Mod10Prefixed verifies the GS1 mod 10 check digit of prefix + s
// without building the string: for numbers printed without the
// application identifier their check digit covers (USPS "91").
func gs1Mod10Prefixed(prefix, s string) bool {
	if len(s) < 2 || !allDigits(s) || !allDigits(prefix) {
		return false
	}
	sum, w := 0, 3
	for i := len(s) - 2; i >= 0; i, w = i-1, 4-w {
		sum += int(s[i]-'0') * w
	}
	for i := len(prefix) - 1; i >= 0; i, w = i-1, 4-w {
		sum += int(prefix[i]-'0') * w
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// luhn verifies a Luhn (ISO/IEC 7812-1 annex B) check digit: from the
// digit next to the check digit leftwards, every other digit is doubled,
// and doubled values above 9 lose 9; the total with the check digit is a
// multiple of ten.
func luhn(s string) bool {
	if len(s) < 2 || !allDigits(s) {
		return false
	}
	sum := int(s[len(s)-1] - '0')
	for i, double := len(s)-2, true; i >= 0; i, double = i-1, !double {
		v := int(s[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
