package webhook

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// DefaultSchedule is the delay before each retry after a failed attempt:
// the Standard Webhooks example schedule (5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h, 14 h, 20 h, 24 h) with one more day, so that with the first,
// immediate attempt a delivery is tried 11 times over 99 h 35 min 5 s
// (more than 4 days, before jitter). Callers must not modify it.
var DefaultSchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// DisableAfter is how long an endpoint may fail continuously, without a
// single success, before it is disabled.
const DisableAfter = 5 * 24 * time.Hour

// MaxRetryAfter caps how far a receiver's Retry-After can push a retry.
const MaxRetryAfter = 24 * time.Hour

// maxStep bounds one entry of a schedule: past DisableAfter the endpoint is
// disabled before the retry would run.
const maxStep = 7 * 24 * time.Hour

// jitter is the ± fraction applied to every delay, so that deliveries that
// failed together (an endpoint's outage) do not retry together.
const jitter = 0.2

// ParseSchedule reads a retry schedule in the format of
// WAYBILL_WEBHOOK_RETRY_SCHEDULE: comma-separated Go durations, spaces
// allowed around them, e.g. "5s,5m,30m,2h,5h,10h,14h,20h,24h". Every entry
// must be positive and at most 7 days; the error says which entry is wrong.
// The result is a new slice.
func ParseSchedule(s string) ([]time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("retry schedule is empty")
	}
	parts := strings.Split(s, ",")
	out := make([]time.Duration, 0, len(parts))
	for i, part := range parts {
		part = strings.TrimSpace(part)
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("retry schedule entry %d %q: %w", i+1, part, err)
		}
		if d <= 0 || d > maxStep {
			return nil, fmt.Errorf("retry schedule entry %d %q: must be more than 0 and at most %v", i+1, part, maxStep)
		}
		out = append(out, d)
	}
	return out, nil
}

// NextAttempt returns the delay before the retry that follows failed
// attempt number attempt (1-based: attempt 1 is the first, immediate
// delivery): schedule[attempt-1] ± 20% jitter, but never less than the
// receiver's retryAfter capped at MaxRetryAfter. rnd returns numbers in
// [0, 1) (rand.Float64 when nil; tests pass a constant); values outside are
// clamped. ok is false, and the delivery has failed for good, when attempt
// is past the schedule or below 1.
func NextAttempt(schedule []time.Duration, attempt int, retryAfter time.Duration, rnd func() float64) (delay time.Duration, ok bool) {
	if attempt < 1 || attempt > len(schedule) {
		return 0, false
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	f := min(max(rnd(), 0), 1)
	delay = time.Duration(float64(schedule[attempt-1]) * (1 - jitter + 2*jitter*f))
	return max(delay, min(retryAfter, MaxRetryAfter)), true
}

// ShouldDisable reports whether an endpoint that has failed continuously
// since firstFailureAt must be disabled at now: true once DisableAfter has
// passed, false for a zero firstFailureAt (not failing).
func ShouldDisable(firstFailureAt, now time.Time) bool {
	return !firstFailureAt.IsZero() && now.Sub(firstFailureAt) >= DisableAfter
}
