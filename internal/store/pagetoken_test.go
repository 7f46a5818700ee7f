package store

import (
	"encoding/hex"
	"regexp"
	"testing"
	"time"
)

var pageTokenForm = regexp.MustCompile(`^[a-z2-7]{26}$`)

func TestNewPageTokenSortsByCreationTime(t *testing.T) {
	at := time.Date(2026, 12, 5, 1, 2, 3, 4e6, time.UTC)
	// Every millisecond over 40 s: the characters of the time prefix run
	// through the whole alphabet, digits included, and each token must
	// still sort after the one before it.
	prev := newPageTokenAt(at)
	for i := 1; i <= 40000; i++ {
		next := newPageTokenAt(at.Add(time.Duration(i) * time.Millisecond))
		if prev >= next {
			t.Fatalf("token %s of %v does not sort after %s, made a millisecond earlier", next, at.Add(time.Duration(i)*time.Millisecond), prev)
		}
		prev = next
	}
	for _, tok := range []string{newPageTokenAt(at), NewPageToken()} {
		if !pageTokenForm.MatchString(tok) {
			t.Fatalf("token %q: want 26 of [a-z2-7]", tok)
		}
	}
	b, err := pageTokenEncoding.DecodeString(newPageTokenAt(at))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(b[:6]), "01a243b8eefc"; got != want {
		t.Errorf("time prefix of %v = %s, want %s (milliseconds since the epoch, 6 bytes big-endian)", at, got, want)
	}
}

// TestNewPageTokenIsRandomWithinAMillisecond: tokens of one millisecond
// share their first 9 characters (the time) and differ after the tenth
// (78 of the 80 random bits).
func TestNewPageTokenIsRandomWithinAMillisecond(t *testing.T) {
	at := time.Now()
	seen := map[string]bool{}
	prefix := newPageTokenAt(at)[:9]
	for range 10000 {
		tok := newPageTokenAt(at)
		if tok[:9] != prefix {
			t.Fatalf("token %s of one millisecond does not start with %s", tok, prefix)
		}
		if seen[tok[10:]] {
			t.Fatalf("token %s: its random part made twice in 10,000 tokens of one millisecond", tok)
		}
		seen[tok[10:]] = true
	}
}
