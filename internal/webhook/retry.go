package webhook

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultSchedule is the delay before each retry: the Standard Webhooks
// schedule stretched to cover more than three days (about 99 hours).
var DefaultSchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// DisableAfter is how long an endpoint may fail without a success before it
// is disabled.
const DisableAfter = 5 * 24 * time.Hour

// maxRetryAfter caps how long a receiver's Retry-After can push a retry.
const maxRetryAfter = 24 * time.Hour

// ParseSchedule reads a comma-separated list of Go durations
// (WAYBILL_WEBHOOK_RETRY_SCHEDULE), e.g. "5s,5m,30m,2h".
func ParseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule: %q is not a duration", part)
		}
		if d <= 0 {
			return nil, fmt.Errorf("retry schedule: %q must be positive", part)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, errors.New("retry schedule is empty")
	}
	return out, nil
}

// NextAttempt returns the delay before the retry that follows failed
// attempt number attempt (1-based), with ±20% jitter from rnd (a source of
// numbers in [0, 1)), and never less than the receiver's Retry-After (capped
// at a day). ok is false when the schedule is exhausted.
func NextAttempt(schedule []time.Duration, attempt int, retryAfter time.Duration, rnd func() float64) (time.Duration, bool) {
	if attempt < 1 || attempt > len(schedule) {
		return 0, false
	}
	base := schedule[attempt-1]
	delay := time.Duration(float64(base) * (0.8 + 0.4*rnd()))
	if retryAfter > 0 {
		delay = max(delay, min(retryAfter, maxRetryAfter))
	}
	return delay, true
}

// ShouldDisable reports whether an endpoint failing continuously since
// firstFailure must be disabled at now.
func ShouldDisable(firstFailure, now time.Time) bool {
	return !firstFailure.IsZero() && now.Sub(firstFailure) >= DisableAfter
}
