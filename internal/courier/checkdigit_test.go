package courier

import "testing"

// Hand-computed vectors: each was worked out on paper with the published
// algorithm (sums shown) before being written here.
func TestCheckDigitVectors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		// 5,R=9,8,9,3,9,0,3,5,7,5,6,7,1,2: odd 35 + 2×even 44 = 123 → 7.
		{"ups", func(s string) bool { return upsMod10(s[2:]) }, "1Z5R89390357567127", true},
		{"ups off by one", func(s string) bool { return upsMod10(s[2:]) }, "1Z5R89390357567128", false},
		// Right to left ×1,3,7: 269 mod 11 = 5.
		{"fedex 12", fedexMod11, "986578788855", true},
		{"fedex 12 off", fedexMod11, "986578788856", false},
		// ×3,1 from the right: 89 → 1.
		{"gs1 15", gs1Mod10, "449044304137821", true},
		// GS1's SSCC example: sum 132 → 8.
		{"gs1 sscc", gs1Mod10, "106141412345678908", true},
		{"gs1 sscc off", gs1Mod10, "106141412345678907", false},
		// C=4: odd 21 + 2×even 10 = 41 → 9.
		{"ontrac", upsMod10, "C11031500001879", true},
		{"ontrac off", upsMod10, "C11031500001878", false},
		// 848713550 mod 7 = 6.
		{"dhl", dhlMod7, "8487135506", true},
		{"dhl off", dhlMod7, "8487135505", false},
		{"letters", gs1Mod10, "12A4", false},
		{"empty", fedexMod11, "", false},
	} {
		if got := tt.check(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestS10CheckDigit(t *testing.T) {
	t.Parallel()
	// 1×8+2×6+3×4+4×2+5×3+6×5+7×9+8×7 = 204; 204 mod 11 = 6; 11-6 = 5.
	if got := s10CheckDigit("12345678"); got != 5 {
		t.Errorf("s10CheckDigit(12345678) = %d, want 5", got)
	}
	for _, serial := range []string{"00000000", "99999999", "47312482", "10000003", "1234567", "1234567A"} {
		want := -1
		if len(serial) == 8 && allDigits(serial) {
			want = int(refS10("RR", serial, "GB")[10] - '0')
		}
		if got := s10CheckDigit(serial); got != want {
			t.Errorf("s10CheckDigit(%q) = %d, want %d", serial, got, want)
		}
	}
	// Remainders 0 and 1 give 11 and 10, written 5 and 0.
	for serial, want := range map[string]int{"00000000": 5} {
		if got := s10CheckDigit(serial); got != want {
			t.Errorf("s10CheckDigit(%q) = %d, want %d", serial, got, want)
		}
	}
}

func TestISO7064Mod3736(t *testing.T) {
	t.Parallel()
	for _, digits := range []string{"00000000000000", "05212345678901", "01234567890123", "99999999999999", "15501234567890"} {
		want := refDPD(digits)
		if got := digits + string(iso7064Mod3736(digits)); got != want {
			t.Errorf("iso7064Mod3736(%q): got %q, want %q", digits, got, want)
		}
	}
	if got := iso7064Mod3736("12-4"); got != 0 {
		t.Errorf("iso7064Mod3736 with a dash = %q, want 0", got)
	}
}

// TestCheckDigitsAgainstReference compares each algorithm with its
// reference over many generated numbers, valid and one digit off.
func TestCheckDigitsAgainstReference(t *testing.T) {
	t.Parallel()
	for i := 0; i < 2000; i++ {
		d := digitsFrom(i*104729+7, 21)
		for _, tt := range []struct {
			name  string
			valid string
			check func(string) bool
		}{
			{"gs1", refGS1(d), gs1Mod10},
			{"fedex", refFedEx(d[:11]), fedexMod11},
			{"ups", refUPS("5R8" + d[:12]), func(s string) bool { return upsMod10(s[2:]) }},
			{"dhl", refDHL(d[:9]), dhlMod7},
			{"dpd", refDPD(d[:14]), func(s string) bool { return iso7064Mod3736(s[:14]) == s[14] }},
		} {
			if !tt.check(tt.valid) {
				t.Fatalf("%s rejects valid %q", tt.name, tt.valid)
			}
			if tt.name != "dpd" && tt.check(offByOne(tt.valid)) {
				t.Fatalf("%s accepts %q, one digit off", tt.name, offByOne(tt.valid))
			}
		}
	}
}

// digitsFrom returns n pseudo-random digits derived from seed.
func digitsFrom(seed, n int) string {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = '0' + byte(x%10)
	}
	return string(b)
}
