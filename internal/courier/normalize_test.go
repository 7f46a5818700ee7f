package courier

import "testing"

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"1Z5R89390357567127", "1Z5R89390357567127"},
		{"  1z5r 8939 0357 5671 27  ", "1Z5R89390357567127"},
		{"Tracking #: 1Z5R89390357567127", "1Z5R89390357567127"},
		{"Tracking number: 9400-1118-9922-3197-4284-90", "9400111899223197428490"},
		{"tracking number 1Z5R89390357567127", "1Z5R89390357567127"},
		{"AWB no. 8487135506", "8487135506"},
		{"Sendungsnummer: 00340434161094042557", "00340434161094042557"},
		{"jv 1234 5678 5 gb", "JV123456785GB"},
		{"(TBA123456789012).", "TBA123456789012"},
		{"\u00a0986578788855\u2013", "986578788855"},
		{"9865\u20137878\u00a08855", "986578788855"},
		{"number", "NUMBER"},
		{"tracking number", "NUMBER"},
		{"Ref: abc", "REF:ABC"},
		{"#", ""},
		{"", ""},
		{"   ", ""},
		{"ÄB12", "B12"},
	} {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
}

func TestNormalizeNoAllocWhenNormalized(t *testing.T) {
	if a := testing.AllocsPerRun(100, func() { Normalize("1Z5R89390357567127") }); a != 0 {
		t.Errorf("Normalize of a normalized number allocates %v times", a)
	}
}
