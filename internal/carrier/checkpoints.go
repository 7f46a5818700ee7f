package carrier

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// checkpointLayouts are the ISO 8601 forms carriers send, with and without
// an offset.
var checkpointLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02",
}

// ParseCheckpointTime reads a checkpoint time. A time without an offset is
// the carrier's local time; it is read as UTC for ordering only.
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

// CheckpointHash identifies a checkpoint by its content (time, message,
// place, statuses), not by when Waybill received it: the same scan pushed
// or fetched twice has the same hash.
func CheckpointHash(c waybill.Checkpoint) string {
	h := sha256.New()
	for _, f := range []string{c.CheckpointTime, c.Message, c.City, c.State, c.Zip, c.CountryISO3, c.Location,
		c.RawTag, string(c.Tag), c.Subtag} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

type keyed struct {
	c    waybill.Checkpoint
	at   time.Time
	hash string
}

func less(a, b keyed) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.hash, b.hash)
}

// MergeCheckpoints adds incoming checkpoints to existing ones. A checkpoint
// already present (same hash) is ignored, whichever copy arrived first, and
// the result is in checkpoint-time order with ties broken by hash: arriving
// out of order or twice gives the same list as in order and once. added
// holds the checkpoints that were new.
func MergeCheckpoints(existing, incoming []waybill.Checkpoint) (merged, added []waybill.Checkpoint) {
	seen := make(map[string]bool, len(existing)+len(incoming))
	all := make([]keyed, 0, len(existing)+len(incoming))
	for i, c := range slices.Concat(existing, incoming) {
		h := CheckpointHash(c)
		if seen[h] {
			continue
		}
		seen[h] = true
		at, _ := ParseCheckpointTime(c.CheckpointTime)
		all = append(all, keyed{c, at, h})
		if i >= len(existing) {
			added = append(added, c)
		}
	}
	slices.SortStableFunc(all, less)
	merged = make([]waybill.Checkpoint, len(all))
	for i, k := range all {
		merged[i] = k.c
	}
	return merged, added
}
