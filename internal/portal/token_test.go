package portal

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidTokenIsTheTokenForm holds validToken to the form it replaced,
// ^[a-z0-9]{20,40}$, at and around every bound.
func TestValidTokenIsTheTokenForm(t *testing.T) {
	form := regexp.MustCompile(`^[a-z0-9]{20,40}$`)
	cases := []string{"", "abc", "../../etc/passwd", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrst\n"}
	for n := 18; n <= 42; n++ {
		cases = append(cases, strings.Repeat("a7", n)[:n])
		for _, c := range []string{"A", "-", "_", "/", "é", "\x00", "`", "{", "@", "[", ":"} {
			cases = append(cases, strings.Repeat("z9", n)[:n-1]+c, c+strings.Repeat("0", n-1))
		}
	}
	for _, tok := range cases {
		if got, want := validToken(tok), form.MatchString(tok); got != want {
			t.Errorf("validToken(%q) = %v, want %v", tok, got, want)
		}
	}
}
