package courier

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// family generates tracking numbers of one format from its published
// definition, using the reference check-digit helpers of helpers_test.go.
type family struct {
	name string
	slug string
	// first: the format is unambiguous, so slug must rank first.
	first bool
	// gen returns a valid number built from random digits r and its
	// near misses: the same number with a wrong check digit, a wrong fixed
	// character or a wrong length, none of which may name slug.
	gen func(r *rand.Rand) (valid string, near []string)
}

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// wrongChecks returns s with its last character replaced by every other
// digit that valid rejects (valid is the reference check for every form of
// the format, so a digit another form accepts is left out).
func wrongChecks(s string, valid func(string) bool) []string {
	var out []string
	for c := byte('0'); c <= '9'; c++ {
		if c == s[len(s)-1] {
			continue
		}
		if t := s[:len(s)-1] + string(c); !valid(t) {
			out = append(out, t)
		}
	}
	return out
}

// at returns s with the character at i replaced by c.
func at(s string, i int, c byte) string { return s[:i] + string(c) + s[i+1:] }

func refGS1Valid(s string) bool    { return refGS1(s[:len(s)-1]) == s }
func refFedExValid(s string) bool  { return refFedEx(s[:len(s)-1]) == s }
func refLuhnValid(s string) bool   { return refLuhn(s[:len(s)-1]) == s }
func refUSPS20Valid(s string) bool { return refGS1Valid(s) || refGS1Valid("91"+s) }
func refDHLValid(s string) bool {
	n, _ := strconv.Atoi(s[:len(s)-1])
	return n%7 == int(s[len(s)-1]-'0')
}
func refUPSDigitsValid(s string) bool { return refUPS(s[:len(s)-1])[2:] == s }

// refLuhn returns data followed by its Luhn check digit: double every
// second digit from the right of data, subtract 9 from doubles over 9.
func refLuhn(data string) string {
	sum := 0
	for k := 0; k < len(data); k++ {
		v := int(data[len(data)-1-k] - '0')
		if k%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return data + strconv.Itoa((10-sum%10)%10)
}

var families = []family{
	{"ups waybill", "ups", true, func(r *rand.Rand) (string, []string) {
		letter := "HJKTV"[r.IntN(5)]
		v := string(letter) + refUPS(digits(r, 9))[2:]
		near := append(wrongChecks(v, func(t string) bool { return refUPSDigitsValid(t[1:]) }), at(v, 0, 'B'), v[:10])
		return v, near
	}},
	{"ups waybill A (shared with amazon)", "ups", true, func(r *rand.Rand) (string, []string) {
		v := "A" + refUPS(digits(r, 9))[2:]
		return v, wrongChecks(v, func(t string) bool { return refUPSDigitsValid(t[1:]) })
	}},
	{"fedex express 34", "fedex", false, func(r *rand.Rand) (string, []string) {
		v := string(byte('1'+r.IntN(8))) + digits(r, 19) + refFedEx(digits(r, 13))
		return v, append(wrongChecks(v, func(t string) bool { return refFedExValid(t[20:]) }), "91"+v[2:], v[1:])
	}},
	{"fedex ground gsn 34", "fedex", true, func(r *rand.Rand) (string, []string) {
		v := "96" + digits(r, 18) + refFedEx(digits(r, 13))
		return v, append(wrongChecks(v, func(t string) bool { return refFedExValid(t[20:]) }), at(v, 1, '7'))
	}},
	{"fedex ground 96 (22)", "fedex", true, func(r *rand.Rand) (string, []string) {
		v := "96" + digits(r, 5) + refGS1(digits(r, 14))
		return v, append(wrongChecks(v, func(t string) bool { return refGS1Valid(t[7:]) }), at(v, 1, '5'))
	}},
	{"fedex astra 32", "fedex", true, func(r *rand.Rand) (string, []string) {
		v := "3" + digits(r, 15) + refFedEx(digits(r, 11)) + digits(r, 4)
		var near []string
		for c := byte('0'); c <= '9'; c++ {
			if t := at(v, 27, c); c != v[27] && !refFedExValid(t[16:28]) {
				near = append(near, t)
			}
		}
		return v, append(near, at(v, 0, '4'))
	}},
	{"fedex sscc-18 bare", "fedex", false, func(r *rand.Rand) (string, []string) {
		v := refGS1("00" + digits(r, 15))
		return v, append(wrongChecks(v, refGS1Valid), v[1:])
	}},
	{"fedex sscc-18 behind 00", "fedex", false, func(r *rand.Rand) (string, []string) {
		v := "00" + refGS1(digits(r, 17))
		return v, wrongChecks(v, func(t string) bool { return refGS1Valid(t[2:]) })
	}},
	{"fedex smartpost", "fedex", false, func(r *rand.Rand) (string, []string) {
		v := refGS1("926129" + digits(r, 15))
		return v, append(wrongChecks(v, refGS1Valid), refGS1("92612"+"8"+digits(r, 15)), refGS1("926130"+digits(r, 15)))
	}},
	{"smartpost is usps first", "usps", true, func(r *rand.Rand) (string, []string) {
		v := refGS1("926129" + digits(r, 15))
		return v, wrongChecks(v, refGS1Valid)
	}},
	{"fedex smartpost routed", "fedex", false, func(r *rand.Rand) (string, []string) {
		inner := refGS1("926129" + digits(r, 15))
		v := "420" + digits(r, 5) + inner
		return v, append(wrongChecks(v, func(t string) bool { return refGS1Valid(t[8:]) }), "420"+digits(r, 5)+refGS1("920559"+digits(r, 15)))
	}},
	{"dhl express 10", "dhl", true, func(r *rand.Rand) (string, []string) {
		v := refDHL(digits(r, 9))
		return v, wrongChecks(v, refDHLValid)
	}},
	{"dhl express 11", "dhl", false, func(r *rand.Rand) (string, []string) {
		v := refDHL(string(byte('1'+r.IntN(9))) + digits(r, 9))
		return v, wrongChecks(v, refDHLValid)
	}},
	{"dhl piece id jjd", "dhl", true, func(r *rand.Rand) (string, []string) {
		v := "JJD" + digits(r, 9+r.IntN(2))
		return v, []string{"XJD" + v[3:], "JJD" + digits(r, 11), "JJD" + digits(r, 14)}
	}},
	{"dhl piece id jvgl", "dhl", true, func(r *rand.Rand) (string, []string) {
		v := "JVGL" + digits(r, 9+r.IntN(12))
		return v, []string{"JVGK" + v[4:], "JVGL" + digits(r, 8)}
	}},
	{"usps 420 zip+4 impb", "usps", true, func(r *rand.Rand) (string, []string) {
		zip := digits(r, 5) + "0000" // a ZIP+4 of zeros used to hide the 9-digit split
		v := "420" + zip + refGS1("94"+digits(r, 19))
		return v, append(wrongChecks(v, func(t string) bool { return refGS1Valid(t[12:]) }), "421"+v[3:])
	}},
	{"usps 420 zip5 impb 26", "usps", true, func(r *rand.Rand) (string, []string) {
		v := "420" + digits(r, 5) + refGS1("92"+digits(r, 23))
		return v, wrongChecks(v, func(t string) bool { return refGS1Valid(t[8:]) || refGS1Valid(t[12:]) })
	}},
	{"usps 91 legacy 22", "usps", true, func(r *rand.Rand) (string, []string) {
		v := refGS1("91" + digits(r, 19))
		return v, append(wrongChecks(v, refGS1Valid), v[:21])
	}},
	{"usps legacy 20 without 91", "usps", true, func(r *rand.Rand) (string, []string) {
		v := refGS1("91" + string(byte('1'+r.IntN(9))) + digits(r, 18))[2:]
		return v, wrongChecks(v, refUSPS20Valid)
	}},
	{"usps legacy 20 routed", "usps", true, func(r *rand.Rand) (string, []string) {
		inner := refGS1("91" + string(byte('1'+r.IntN(9))) + digits(r, 18))[2:]
		v := "420" + digits(r, 5) + inner
		return v, wrongChecks(v, func(t string) bool { return refUSPS20Valid(t[8:]) })
	}},
	{"usps impb 30", "usps", true, func(r *rand.Rand) (string, []string) {
		v := refGS1("94" + digits(r, 27))
		return v, wrongChecks(v, refGS1Valid)
	}},
	{"amazon international", "amazon", true, func(r *rand.Rand) (string, []string) {
		v := string("CF"[r.IntN(2)]) + digits(r, 10)
		return v, []string{"D" + v[1:], v[:10], v + "0"}
	}},
	{"ontrac d", "ontrac", true, func(r *rand.Rand) (string, []string) {
		v := refUPS("D" + digits(r, 13))[2:]
		return v, append(wrongChecks(v, func(t string) bool { return refUPS(t[:14])[2:] == t }), at(v, 0, 'E'))
	}},
	{"ontrac c", "ontrac", true, func(r *rand.Rand) (string, []string) {
		v := refOnTrac(digits(r, 13))
		return v, wrongChecks(v, func(t string) bool { return refUPS(t[:14])[2:] == t })
	}},
	{"old dominion", "old-dominion", true, func(r *rand.Rand) (string, []string) {
		v := refLuhn([]string{"072", "777", "778", "780", "80" + digits(r, 1)}[r.IntN(5)] + digits(r, 7))
		return v, append(wrongChecks(v, refLuhnValid), at(v, 0, '6'))
	}},
	{"purolator 12", "purolator", false, func(r *rand.Rand) (string, []string) {
		v := refLuhn(string(byte('0'+r.IntN(6))) + digits(r, 10))
		return v, append(wrongChecks(v, refLuhnValid), refLuhn("7"+v[1:11]))
	}},
	{"canada post 16", "canada-post", true, func(r *rand.Rand) (string, []string) {
		v := refGS1(digits(r, 15))
		return v, wrongChecks(v, refGS1Valid)
	}},
	{"dpd 28", "dpd", true, func(r *rand.Rand) (string, []string) {
		v := refDPD(digits(r, 27))
		var near []string
		for _, c := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
			if t := v[:27] + string(c); !refMod3736Valid(t) {
				near = append(near, t)
			}
		}
		return v, near
	}},
	{"dhl ecommerce gm alphanumeric", "dhl-ecommerce", true, func(r *rand.Rand) (string, []string) {
		v := "GM" + digits(r, 4) + "AB" + digits(r, 8) + "XY"
		return v, []string{"GS" + v[2:], "GMABCDEFGHIJKLMN"}
	}},
	{"dhl ecommerce 14", "dhl-ecommerce", false, func(r *rand.Rand) (string, []string) {
		v := digits(r, 14)
		return v, []string{"A" + v, v + "B"}
	}},
	{"landmark global", "landmark-global", true, func(r *rand.Rand) (string, []string) {
		v := "LTN" + digits(r, 8) + "N1"
		return v, []string{"LSN" + v[3:], v[:11] + "N2"}
	}},
	{"yodel jjd", "yodel", true, func(r *rand.Rand) (string, []string) {
		v := "JJD" + digits(r, 16)
		return v, []string{"JCD" + v[3:], v[:18]}
	}},
	{"canpar letters", "canpar", true, func(r *rand.Rand) (string, []string) {
		v := string("CDKLSUXZ"[r.IntN(8)]) + digits(r, 21)
		return v, []string{"M" + v[1:], v[:21]}
	}},
	{"lasership lx", "lasership", true, func(r *rand.Rand) (string, []string) {
		v := "L" + string("AEHINX"[r.IntN(6)]) + string(byte('1'+r.IntN(3))) + digits(r, 7)
		return v, []string{at(v, 2, '9'), "XA" + v[2:]}
	}},
	{"lasership 1ls7", "lasership", true, func(r *rand.Rand) (string, []string) {
		v := "1LS7" + string(byte('1'+r.IntN(2))) + digits(r, 2) + "01" + string(byte('1'+r.IntN(4))) + digits(r, 6) + "1"
		return v, []string{v[:16] + "2", "1LX" + v[3:]}
	}},
	{"lasership 1lscx", "lasership", true, func(r *rand.Rand) (string, []string) {
		v := "1LSCX" + digits(r, 4) + "AB" + digits(r, 4)
		return v, []string{"1LSCZ" + v[5:]}
	}},
}

// TestDetectFamilies generates fresh numbers for each format and checks
// both directions: a valid number names the courier (first where the
// format is unambiguous), its near misses do not; each valid number typed
// with a space between every character, or grouped by fours, gives the
// same answer.
func TestDetectFamilies(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, uint64(len(families))))
	for _, f := range families {
		for range 200 {
			valid, near := f.gen(r)
			got := Detect(valid, Hints{})
			switch i := indexOf(got, f.slug); {
			case i < 0:
				t.Fatalf("%s: Detect(%q) = [%s], want %s among them", f.name, valid, slugs(got), f.slug)
			case f.first && i > 0:
				t.Fatalf("%s: Detect(%q) = [%s], want %s first", f.name, valid, slugs(got), f.slug)
			}
			for _, n := range near {
				if bad := Detect(n, Hints{}); indexOf(bad, f.slug) >= 0 {
					t.Fatalf("%s: near miss Detect(%q) = [%s] names %s (valid %q)", f.name, n, slugs(bad), f.slug, valid)
				}
			}
			want := slugs(got)
			for _, typed := range []string{spaced(valid), groupedByFours(valid), strings.ToLower(spaced(valid))} {
				if again := slugs(Detect(typed, Hints{})); again != want {
					t.Fatalf("%s: Detect(%q) = [%s], but Detect(%q) = [%s]", f.name, typed, again, valid, want)
				}
			}
		}
	}
}

// spaced returns s with a space between every two characters.
func spaced(s string) string {
	return strings.Join(strings.Split(s, ""), " ")
}

// groupedByFours returns s in groups of four characters.
func groupedByFours(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

func TestNormalizeSpacedOut(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"NL123456785GB", "N1234567890", "1Z5R89390357567127", "ID12345678"} {
		for _, typed := range []string{spaced(n), groupedByFours(n), " " + spaced(n) + " "} {
			if got := Normalize(typed); got != n {
				t.Errorf("Normalize(%q) = %q, want %q", typed, got, n)
			}
		}
	}
	if got := Normalize("N. 12345678"); got != "12345678" {
		t.Errorf(`Normalize("N. 12345678") = %q, want the label dropped`, got)
	}
}
