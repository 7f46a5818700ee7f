package waybill

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tagOf returns the tag a subtag belongs to ("InTransit_002" → InTransit).
func tagOf(subtag string) Tag {
	tag, _, _ := strings.Cut(subtag, "_")
	return Tag(tag)
}

func cp(at, subtag, message string) Checkpoint {
	return Checkpoint{CheckpointTime: at, Tag: tagOf(subtag), Subtag: subtag, Message: message}
}

func TestParseCheckpointTime(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T12:00:00+02:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T12:00:00+0200", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T12:00:00+02", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T10:00:00.250Z", time.Date(2024, 5, 1, 10, 0, 0, 250e6, time.UTC), true},
		{"2024-05-01T10:00:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T10:00:00.5", time.Date(2024, 5, 1, 10, 0, 0, 500e6, time.UTC), true},
		{"2024-05-01T10:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01 10:00:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{" 2024-05-01 ", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"1900-01-01T00:00:00Z", time.Time{}, false},
		{"2024-13-01T00:00:00Z", time.Time{}, false},
	} {
		got, err := ParseCheckpointTime(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseCheckpointTime(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseCheckpointTime(f *testing.F) {
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01", "2024-05-01 10:00:00", "9999-99-99", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := ParseCheckpointTime(s)
		if err == nil && (at.Year() < 1990 || at.Year() > 2200) {
			t.Fatalf("ParseCheckpointTime(%q) = %v: out of range", s, at)
		}
		// A merge of scans with this time must not panic either.
		MergeCheckpoints([]Checkpoint{{CheckpointTime: s}}, []Checkpoint{{CheckpointTime: s, Message: "x"}})
	})
}

func TestCheckpointHash(t *testing.T) {
	t.Parallel()
	a := Checkpoint{CheckpointTime: "2024-05-01T10:00:00Z", Message: "Arrived", City: "Leeds", Tag: TagInTransit, Subtag: "InTransit_003"}
	b := a
	b.CreatedAt = time.Now()
	b.Slug = "ups"
	b.CountryName = "United Kingdom"
	if CheckpointHash(a) != CheckpointHash(b) {
		t.Error("hash depends on CreatedAt, Slug or CountryName")
	}
	if got := len(CheckpointHash(a)); got != 32 {
		t.Errorf("hash has %d characters, want 32", got)
	}
	// Field boundaries count: moving text from one field to the next is
	// another checkpoint.
	c := a
	c.Message, c.City = "ArrivedLeeds", ""
	if CheckpointHash(a) == CheckpointHash(c) {
		t.Error("hash ignores field boundaries")
	}
	for _, change := range []func(*Checkpoint){
		func(c *Checkpoint) { c.CheckpointTime = "2024-05-01T10:00:01Z" },
		func(c *Checkpoint) { c.Message = "Departed" },
		func(c *Checkpoint) { c.State = "WYK" },
		func(c *Checkpoint) { c.Zip = "LS1" },
		func(c *Checkpoint) { c.CountryISO3 = "GBR" },
		func(c *Checkpoint) { c.Location = "Leeds hub" },
		func(c *Checkpoint) { c.RawTag = "AR" },
		func(c *Checkpoint) { c.Subtag = "InTransit_001" },
	} {
		d := a
		change(&d)
		if CheckpointHash(a) == CheckpointHash(d) {
			t.Errorf("hash ignores a change: %+v", d)
		}
	}
}

func TestMergeCheckpoints(t *testing.T) {
	t.Parallel()
	c1 := cp("2024-05-01T08:00:00Z", "InfoReceived_001", "Label created")
	c2 := cp("2024-05-01T12:00:00+02:00", "InTransit_002", "Picked up") // 10:00Z
	c3 := cp("2024-05-01T11:00:00Z", "InTransit_003", "Arrived")
	stored := c1
	stored.CreatedAt = time.Date(2024, 5, 1, 8, 5, 0, 0, time.UTC)
	again := c1
	again.CreatedAt = time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)

	merged, added := MergeCheckpoints([]Checkpoint{stored}, []Checkpoint{c3, again, c2, c3})
	if diff := cmp.Diff([]Checkpoint{stored, c2, c3}, merged); diff != "" {
		t.Errorf("merged mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Checkpoint{c2, c3}, added); diff != "" {
		t.Errorf("added mismatch (-want +got):\n%s", diff)
	}
	merged2, added2 := MergeCheckpoints(merged, []Checkpoint{c1, c2, c3})
	if diff := cmp.Diff(merged, merged2); diff != "" || len(added2) != 0 {
		t.Errorf("merging again changed the list (-want +got):\n%s\nadded %v", diff, added2)
	}
}

// randomScans returns n distinct checkpoints, some with equal times and
// some without an offset, to exercise the tie-break.
func randomScans(r *rand.Rand, n int) []Checkpoint {
	subtags := []string{"InfoReceived_001", "InTransit_002", "InTransit_003", "InTransit_007", "OutForDelivery_001",
		"AttemptFail_001", "AvailableForPickup_001", "Delivered_001", "Delivered_003", "Exception_004", "Exception_010", "Exception_011"}
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Checkpoint, n)
	for i := range out {
		at := base.Add(time.Duration(r.Intn(6*n)) * time.Hour)
		layout := time.RFC3339
		switch r.Intn(3) {
		case 1:
			layout = "2006-01-02T15:04:05"
		case 2:
			at = at.In(time.FixedZone("", 2*3600))
		}
		sub := subtags[r.Intn(len(subtags))]
		out[i] = Checkpoint{CheckpointTime: at.Format(layout), Tag: tagOf(sub), Subtag: sub,
			Message: "scan " + string(rune('a'+i%26)) + string(rune('a'+i/26)), City: "Leeds"}
		if r.Intn(4) == 0 {
			out[i].Message = "Delivered, signed by: P. " + string(rune('A'+i%26))
		}
	}
	return out
}

// shuffledWithDuplicates returns the scans in a random order, some of them
// twice, with CreatedAt set as the arrival time.
func shuffledWithDuplicates(r *rand.Rand, scans []Checkpoint) []Checkpoint {
	out := append([]Checkpoint(nil), scans...)
	for range r.Intn(len(scans) + 1) {
		out = append(out, scans[r.Intn(len(scans))])
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := range out {
		out[i].CreatedAt = time.Unix(int64(i), 0)
	}
	return out
}

func TestMergeCheckpointsOrderIndependent(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	ignoreCreatedAt := cmpopts.IgnoreFields(Checkpoint{}, "CreatedAt")
	for range 200 {
		scans := randomScans(r, 1+r.Intn(20))
		want, _ := MergeCheckpoints(nil, scans)
		if len(want) != len(scans) {
			t.Fatalf("merge of %d distinct scans gave %d", len(scans), len(want))
		}
		// All at once, in any order, with duplicates.
		got, _ := MergeCheckpoints(nil, shuffledWithDuplicates(r, scans))
		if diff := cmp.Diff(want, got, ignoreCreatedAt); diff != "" {
			t.Fatalf("shuffled merge mismatch (-want +got):\n%s", diff)
		}
		// In batches, in any order, with duplicates; added adds up.
		var merged []Checkpoint
		total := 0
		in := shuffledWithDuplicates(r, scans)
		for len(in) > 0 {
			n := 1 + r.Intn(len(in))
			var added []Checkpoint
			merged, added = MergeCheckpoints(merged, in[:n])
			total += len(added)
			in = in[n:]
		}
		if diff := cmp.Diff(want, merged, ignoreCreatedAt); diff != "" {
			t.Fatalf("batched merge mismatch (-want +got):\n%s", diff)
		}
		if total != len(scans) {
			t.Fatalf("added %d checkpoints in all, want %d", total, len(scans))
		}
	}
}
