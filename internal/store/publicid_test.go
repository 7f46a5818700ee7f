package store

import (
	"regexp"
	"testing"
	"time"
)

var publicIDForm = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestNewPublicIDSortsByCreationTime(t *testing.T) {
	at := time.Date(2026, 12, 5, 1, 2, 3, 4e6, time.UTC)
	earlier, later := newPublicIDAt(at), newPublicIDAt(at.Add(time.Millisecond))
	for _, id := range []string{earlier, later, NewPublicID()} {
		if !publicIDForm.MatchString(id) {
			t.Fatalf("id %q: want 32 lowercase hex characters", id)
		}
	}
	if earlier >= later {
		t.Errorf("id of %v (%s) does not sort before the id a millisecond later (%s)", at, earlier, later)
	}
	if got, want := earlier[:12], "01a243b8eefc"; got != want {
		t.Errorf("time prefix of %v = %s, want %s (milliseconds since the epoch, 6 bytes big-endian)", at, got, want)
	}
}

func TestNewPublicIDIsRandomWithinAMillisecond(t *testing.T) {
	at := time.Now()
	seen := map[string]bool{}
	for range 10000 {
		id := newPublicIDAt(at)
		if seen[id] {
			t.Fatalf("id %s made twice in 10,000 ids of one millisecond", id)
		}
		seen[id] = true
	}
}
