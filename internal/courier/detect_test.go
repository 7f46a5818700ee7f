package courier

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// slugs renders candidates as "slug" or "slug*" (verified) for comparison.
func slugs(cs []Candidate) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.Slug)
		if c.Verified {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func TestDetectFormats(t *testing.T) {
	t.Parallel()
	d13 := "4731248210953"
	ups := refUPS("5R8939035756712")
	fedex12 := refFedEx("98657878885")
	imp22 := refGS1("926129012345678901234")[:21] // SmartPost: 92, service type 612, 9-digit mailer ID
	imp22 = refGS1(imp22)
	puroFedEx := bothFedExAndPurolator()
	usps94 := refGS1("940011189922319742849")
	for _, tt := range []struct {
		name, in, want string
	}{
		// UPS.
		{"ups 1Z", ups, "ups*"},
		{"ups 1Z hand vector", "1Z5R89390357567127", "ups*"},
		{"ups 1Z off by one", offByOne(ups), ""},
		{"ups 1Z wrong length", ups[:17], ""},
		{"ups 1Z wrong prefix", "2Z" + ups[2:], ""},
		{"ups mail innovations", "MI123456" + "ABC12345678", "ups-mi"},
		// FedEx.
		{"fedex 12 vs gls", fedex12, "fedex* gls"},
		{"fedex 12 off by one", offByOne(fedex12), "gls"},
		{"fedex 12 vs purolator and gls", puroFedEx, "fedex* purolator* gls"},
		{"purolator 12", refLuhn("32059546393"), "purolator* gls"},
		{"purolator 12 off by one", offByOne(refLuhn("32059546393")), "gls"},
		{"fedex 15 ground", "449044304137821", "fedex*"},
		{"fedex 15 express", refFedEx("12345678901234"), "fedex*"},
		{"fedex ground 96", "96" + "12345" + refGS1("12345678901234"), "fedex*"},
		{"fedex ground 96 off", "96" + "12345" + offByOne(refGS1("12345678901234")), ""},
		{"fedex sscc", refGS1("00" + "10614141234567890"), "fedex* dhl-germany*"},
		{"fedex sscc bare", refGS1("10614141234567890"), "fedex* dhl-germany*"},
		{"dhl paket sscc", refGS1("0034043416109404255"), "dhl-germany* fedex*"},
		{"fedex door tag", "DT123456789012", "fedex"},
		{"fedex door tag short", "DT12345678901", ""},
		// USPS and SmartPost.
		{"usps 94", usps94, "usps*"},
		{"usps 94 off by one", offByOne(usps94), ""},
		{"smartpost collides with usps 92", imp22, "usps* fedex*"},
		{"usps 92 not smartpost", refGS1("920559012345678901234"), "usps*"},
		{"usps 26", refGS1("9205590123456789012345678"), "usps*"},
		{"usps 26 smartpost", refGS1("9261290123456789012345678"), "usps* fedex*"},
		{"usps 20 legacy", refGS1("0307179000052348374"), "usps*"},
		{"usps 420 zip5", "42090210" + usps94, "usps* dhl-ecommerce*"},
		{"usps 420 zip9 smartpost", "420902101234" + imp22, "usps* fedex* dhl-ecommerce*"},
		{"usps 420 zip5 + 26", "42090210" + refGS1("9405590123456789012345678"), "usps* dhl-ecommerce*"},
		{"usps 420 bad inner", "42090210" + offByOne(usps94), ""},
		{"usps 21 digits", usps94[:21], ""},
		// DHL.
		{"dhl express 10", refDHL("848713550"), "dhl*"},
		{"dhl express 10 off", offByOne(refDHL("848713550")), ""},
		{"dhl express 11", refDHL("848713550") + "1", "gls"},
		{"dhl jd", "JD" + "014600003828040200", "dhl"},
		{"dhl jjd", "JJD" + "000390007849235761", "dhl"},
		{"dhl ecommerce gm", "GM" + "2951173225174494", "dhl-ecommerce"},
		// The rest.
		{"amazon", "TBA" + "123456789012", "amazon"},
		{"amazon canada", "TBC" + "123456789012", "amazon"},
		{"amazon short", "TBA" + "12345678901", ""},
		{"ontrac c", "C11031500001879", "ontrac*"},
		{"ontrac c off", "C11031500001878", ""},
		{"ontrac d", refUPS("D1001092120618")[2:], "ontrac*"},
		{"ontrac d off", offByOne(refUPS("D1001092120618")[2:]), ""},
		{"lasership 1ls", "1LS7020008221541", "lasership ontrac"},
		{"lasership lx", "LX12345678", "lasership australia-post"},
		{"canada post 16 vs evri", "7023210039414604", "canada-post* hermes"},
		{"canada post 16 off by one", offByOne("7023210039414604"), "hermes"},
		{"purolator letters", "ABC123456789", "purolator"},
		{"royal mail s10", refS10("JV", "12345678", "GB"), "royal-mail*"},
		{"royal mail s10 off", offByOne(refS10("JV", "12345678", "GB")[:11]) + "GB", ""},
		{"royal mail domestic", refS10("JV", "12345678", "GB")[:11], "royal-mail*"},
		{"dpd 14", "05212345678901", "dpd dhl-ecommerce"},
		{"dpd uk 14", "15501234567890", "dpd dpd-uk dhl-ecommerce"},
		{"dpd 14 + check", refDPD("05212345678901"), "dpd*"},
		{"gls 11", "12345678901", "gls"},
		{"evri h", "H01HYA0001234567", "hermes"},
		{"yodel jd", "JD" + "0002250000000001", "yodel"},
		{"postnl 3s", "3SABCD" + "123456789", "postnl postnl-3s"},
		{"postnl 3s too short", "3SABCD1234", ""},
		{"australia post eparcel", "ABC" + "1234567" + "01" + "0" + "1" + "2" + "7", "australia-post"},
		{"australia post barcode", "997001" + "27" + "ABC1234567010127" + "0" + "3000", "australia-post"},
		{"canpar", "D" + "421000000000000001001", "canpar"},
		{"yunexpress", "YT" + "2012345678901234", "yunexpress"},
		{"4px", "4PX" + "3000123456789CN", "4px"},
		{"cainiao lp", "LP" + "00123456789012", "cainiao australia-post"},
		{"cainiao cng", "CNG" + "12345678901", "cainiao"},
		// Not tracking numbers.
		{"empty", "", ""},
		{"letters", "HELLOWORLD", ""},
		{"too long", strings.Repeat("9", MaxNumberLen+1), ""},
		{"13 digits", d13, ""},
	} {
		got := slugs(Detect(tt.in, Hints{}))
		if got != tt.want {
			t.Errorf("%s: Detect(%q) = [%s], want [%s]", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDetectConfidences(t *testing.T) {
	t.Parallel()
	got := Detect(refGS1(refGS1("92612901234567890123")), Hints{})
	want := []Candidate{{Slug: "usps", Confidence: 0.9, Verified: true}, {Slug: "fedex", Confidence: 0.5, Verified: true}}
	if !slices.Equal(got, want) {
		t.Errorf("Detect(SmartPost) mismatch:\n got %+v\nwant %+v", got, want)
	}
	for _, c := range Detect("1Z5R89390357567127", Hints{}) {
		if c.Confidence <= 0 || c.Confidence > 1 {
			t.Errorf("confidence %v out of (0, 1]", c.Confidence)
		}
	}
}

func TestDetectS10Countries(t *testing.T) {
	t.Parallel()
	for country, slug := range s10Posts {
		n := refS10("RR", "47312482", country)
		got := Detect(n, Hints{})
		if len(got) == 0 || got[0].Slug != slug || !got[0].Verified {
			t.Errorf("Detect(%s) = [%s], want %s first", n, slugs(got), slug)
		}
		if bad := offByOne(n[:11]) + country; len(Detect(bad, Hints{})) != 0 {
			t.Errorf("Detect(%s) with a wrong check digit = [%s], want none", bad, slugs(Detect(bad, Hints{})))
		}
	}
	for _, tt := range []struct{ in, want string }{
		{refS10("EA", "12345678", "CN"), "china-ems* china-post*"},
		{refS10("LX", "12345678", "CN"), "china-post*"},
		{refS10("RR", "12345678", "DE"), "deutsch-post* dhl-germany*"},
		{refS10("RR", "12345678", "US"), "usps*"},
		{refS10("RR", "12345678", "ZZ"), ""}, // no post for that code
		{refS10("R1", "12345678", "GB"), ""}, // service indicator must be letters
		{refS10("RR", "12345678", "GB") + "X", ""},
	} {
		if got := slugs(Detect(tt.in, Hints{})); got != tt.want {
			t.Errorf("Detect(%q) = [%s], want [%s]", tt.in, got, tt.want)
		}
	}
}

func TestDetectHints(t *testing.T) {
	t.Parallel()
	smartPost := refGS1("926129012345678901234")
	threeS := "3SABCD123456789"
	for _, tt := range []struct {
		name, in string
		h        Hints
		want     string
	}{
		{"filter keeps fedex", smartPost, Hints{Slugs: []string{"fedex"}}, "fedex*"},
		{"filter is case-insensitive", smartPost, Hints{Slugs: []string{"FedEx", "ups"}}, "fedex*"},
		{"filter excludes all", smartPost, Hints{Slugs: []string{"ups"}}, ""},
		{"filter with unknown slug", smartPost, Hints{Slugs: []string{"nope"}}, ""},
		{"required fields missing halve", threeS, Hints{}, "postnl postnl-3s"},
		{"required fields given", threeS, Hints{PostalCode: "1012AB", DestinationCountry: "DEU"}, "postnl postnl-3s"},
		{"destination country breaks a tie", "7023210039414604", Hints{DestinationCountry: "GBR"}, "hermes canada-post*"},
		{"origin country lowercase", "7023210039414604", Hints{OriginCountry: "can"}, "canada-post* hermes"},
	} {
		if got := slugs(Detect(tt.in, tt.h)); got != tt.want {
			t.Errorf("%s: Detect(%q, %+v) = [%s], want [%s]", tt.name, tt.in, tt.h, got, tt.want)
		}
	}
	conf := func(h Hints) float64 {
		for _, c := range Detect(threeS, h) {
			if c.Slug == "postnl-3s" {
				return c.Confidence
			}
		}
		return -1
	}
	if without, with := conf(Hints{}), conf(Hints{PostalCode: "1012AB", DestinationCountry: "DEU"}); without != 0.3 || with != 0.6 {
		t.Errorf("postnl-3s confidence without fields %v (want 0.3), with fields %v (want 0.6)", without, with)
	}
}

func TestDetectIntoAppends(t *testing.T) {
	t.Parallel()
	dst := []Candidate{{Slug: "keep", Confidence: 0.01}}
	got := DetectInto(dst, refGS1("926129012345678901234"), Hints{})
	if slugs(got) != "keep usps* fedex*" {
		t.Errorf("DetectInto = [%s], want [keep usps* fedex*]", slugs(got))
	}
}

func TestDetectAllocations(t *testing.T) {
	numbers := corpus(64)
	normalized := make([]string, len(numbers))
	for i, n := range numbers {
		normalized[i] = Normalize(n)
	}
	dst := make([]Candidate, 0, maxCandidates)
	if a := testing.AllocsPerRun(100, func() {
		for _, n := range normalized {
			dst = DetectInto(dst[:0], n, Hints{})
		}
	}); a != 0 {
		t.Errorf("DetectInto allocates %v times per corpus, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() {
		for _, n := range numbers {
			Detect(n, Hints{})
		}
	}); a > 2*float64(len(numbers)) {
		t.Errorf("Detect allocates %v times per %d numbers, want at most 2 each", a, len(numbers))
	}
}

func TestDetectSandboxNumbers(t *testing.T) {
	for _, n := range []string{"SBXDELIVERED", "sbx-delivered-0001", "SBXEXPIRED42"} {
		got := Detect(n, Hints{})
		if len(got) == 0 || got[0].Slug != SandboxSlug {
			t.Errorf("Detect(%q) = %v, want sandbox first", n, got)
		}
	}
}

// bothFedExAndPurolator returns a 12-digit number that passes both FedEx's
// mod 11 and Purolator's Luhn check (Purolator numbers start with 0-5).
func bothFedExAndPurolator() string {
	for i := 3_000_000_000; ; i++ {
		if n := refFedEx(strconv.Itoa(i) + "0"); refLuhnValid(n) {
			return n
		}
	}
}
