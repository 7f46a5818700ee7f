package store

import "time"

// Times are stored as BIGINT microseconds since the epoch, UTC: the same
// type, order and precision on both engines.

func toMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
