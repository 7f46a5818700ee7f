package waybill

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkpointLayouts are the ISO 8601 forms carriers send, with and without
// an offset. Go accepts fractional seconds after the seconds field of any
// of them.
var checkpointLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07", "2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05",
	"2006-01-02",
}

// ParseCheckpointTime reads a checkpoint time in one of the ISO 8601 forms
// carriers send ("2024-05-01T10:00:00+02:00", "…Z", "2024-05-01T10:00:00",
// "2024-05-01 10:00:00", "2024-05-01"). A time without an offset is the
// carrier's local time; it is returned as UTC, which is good enough for
// ordering one parcel's scans. It returns an error for an empty string,
// more than 40 characters, another format, or a year outside 1990–2200.
func ParseCheckpointTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return time.Time{}, errors.New("checkpoint time is empty or too long")
	}
	for _, layout := range checkpointLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, errors.New("checkpoint time is out of range")
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("checkpoint time is not ISO 8601")
}

// CheckpointHash identifies a checkpoint by its content: checkpoint time
// (as written), message, city, state, zip, country, location, raw tag, tag
// and subtag. It ignores CreatedAt (when Waybill received it), Slug,
// CountryName (derived from the country) and Coordinates, so the same scan
// pushed or fetched twice has the same hash. The hash is 32 lowercase hex
// characters and is stable across releases: it is shown to API clients.
func CheckpointHash(c Checkpoint) string {
	h := sha256.New()
	for _, f := range []string{c.CheckpointTime, c.Message, c.City, c.State, c.Zip, c.CountryISO3, c.Location,
		c.RawTag, string(c.Tag), c.Subtag} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// keyed is a checkpoint with its sort key.
type keyed struct {
	c     Checkpoint
	at    time.Time // zero when the time does not parse: such scans sort first
	hash  string
	isNew bool
}

func compareKeyed(a, b keyed) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.hash, b.hash)
}

// MergeCheckpoints adds incoming checkpoints to existing ones and returns
// them all in checkpoint-time order, ties broken by hash. A checkpoint whose
// hash is already present, in existing or earlier in incoming, is dropped:
// the copy kept is the first one seen, so a stored checkpoint keeps its
// CreatedAt. Hence the merged list, CreatedAt aside, depends only on the
// set of checkpoints: arriving out of order or twice gives the same list
// as in order and once. added holds the checkpoints of incoming that were
// new, in the same order as merged. existing and incoming are not modified.
func MergeCheckpoints(existing, incoming []Checkpoint) (merged, added []Checkpoint) {
	seen := make(map[string]bool, len(existing)+len(incoming))
	all := make([]keyed, 0, len(existing)+len(incoming))
	for i, c := range slices.Concat(existing, incoming) {
		h := CheckpointHash(c)
		if seen[h] {
			continue
		}
		seen[h] = true
		at, _ := ParseCheckpointTime(c.CheckpointTime)
		all = append(all, keyed{c: c, at: at, hash: h, isNew: i >= len(existing)})
	}
	slices.SortFunc(all, compareKeyed)
	merged = make([]Checkpoint, len(all))
	for i, k := range all {
		merged[i] = k.c
		if k.isNew {
			added = append(added, k.c)
		}
	}
	return merged, added
}
