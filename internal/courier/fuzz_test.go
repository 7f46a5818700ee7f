package courier

import (
	"slices"
	"testing"
)

func seed(f *testing.F) {
	for _, s := range corpus(64) {
		f.Add(s)
	}
	for _, s := range []string{"", " ", "#", ":", "1:2:", "Tracking no: abc", "\xff\xfe", "ǅ", "ß", "1Z\u00a0", "no no 1"} {
		f.Add(s)
	}
}

func FuzzNormalize(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q", s, n, n, again)
		}
	})
}

func FuzzDetect(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := Detect(s, Hints{})
		if again := Detect(s, Hints{}); !slices.Equal(got, again) {
			t.Fatalf("Detect(%q) not deterministic: %v then %v", s, got, again)
		}
		seen := map[string]bool{}
		for i, c := range got {
			if !Exists(c.Slug) {
				t.Fatalf("Detect(%q) returned unknown slug %q", s, c.Slug)
			}
			if seen[c.Slug] {
				t.Fatalf("Detect(%q) returned %q twice", s, c.Slug)
			}
			seen[c.Slug] = true
			if c.Confidence <= 0 || c.Confidence > 1 {
				t.Fatalf("Detect(%q): confidence %v out of (0, 1]", s, c.Confidence)
			}
			if i > 0 && c.Confidence > got[i-1].Confidence {
				t.Fatalf("Detect(%q) out of order: %v", s, got)
			}
		}
		into := DetectInto(nil, Normalize(s), Hints{})
		if !slices.Equal(got, into) && (len(got) != 0 || len(into) != 0) {
			t.Fatalf("Detect and DetectInto disagree on %q: %v vs %v", s, got, into)
		}
	})
}
