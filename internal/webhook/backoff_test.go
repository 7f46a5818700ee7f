package webhook

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultSchedule(t *testing.T) {
	t.Parallel()
	var total time.Duration
	for _, d := range DefaultSchedule {
		total += d
	}
	if total < 3*24*time.Hour {
		t.Errorf("default schedule spans %v, want at least 3 days", total)
	}
	// Even with every delay at -20% jitter it spans more than 3 days.
	if low := time.Duration(float64(total) * 0.8); low < 3*24*time.Hour {
		t.Errorf("with jitter the schedule may span only %v", low)
	}
	// The env var format round-trips the default.
	parts := make([]string, len(DefaultSchedule))
	for i, d := range DefaultSchedule {
		parts[i] = d.String()
	}
	got, err := ParseSchedule(strings.Join(parts, ","))
	if err != nil || !slices.Equal(got, DefaultSchedule) {
		t.Errorf("ParseSchedule(default) = %v, %v", got, err)
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []time.Duration
	}{
		{"5s,5m,30m,2h,5h,10h,14h,20h,24h", []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}},
		{"1s, 2s ,4s", []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"50ms", []time.Duration{50 * time.Millisecond}},
		{"1h30m,168h", []time.Duration{90 * time.Minute, 168 * time.Hour}},
	} {
		got, err := ParseSchedule(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseSchedule(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", " ", "1s,,2s", "1s,", "soon", "-1s", "0s", "5", "169h", "1s;2s"} {
		if got, err := ParseSchedule(in); err == nil {
			t.Errorf("ParseSchedule(%q) = %v, want an error", in, got)
		}
	}
	if _, err := ParseSchedule("5s,oops"); err == nil || !strings.Contains(err.Error(), `entry 2 "oops"`) {
		t.Errorf("error does not name the entry: %v", err)
	}
}

func TestNextAttempt(t *testing.T) {
	t.Parallel()
	schedule := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	for _, tt := range []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		rnd        float64
		want       time.Duration
		ok         bool
	}{
		{"middle of the jitter", 1, 0, 0.5, time.Second, true},
		{"-20%", 1, 0, 0, 800 * time.Millisecond, true},
		{"almost +20%", 2, 0, 0.999999, 2399999 * time.Microsecond, true},
		{"rnd above 1 clamped", 2, 0, 7, 2400 * time.Millisecond, true},
		{"rnd below 0 clamped", 2, 0, -3, 1600 * time.Millisecond, true},
		{"Retry-After longer than the schedule", 3, 10 * time.Second, 0.5, 10 * time.Second, true},
		{"Retry-After shorter than the schedule", 3, time.Second, 0.5, 4 * time.Second, true},
		{"Retry-After capped at a day", 3, 48 * time.Hour, 0.5, 24 * time.Hour, true},
		{"last entry", 3, 0, 0.5, 4 * time.Second, true},
		{"exhausted", 4, 0, 0.5, 0, false},
		{"exhausted despite Retry-After", 4, time.Hour, 0.5, 0, false},
		{"attempt 0", 0, 0, 0.5, 0, false},
		{"negative attempt", -1, 0, 0.5, 0, false},
	} {
		got, ok := NextAttempt(schedule, tt.attempt, tt.retryAfter, func() float64 { return tt.rnd })
		if ok != tt.ok || (got-tt.want).Abs() > time.Millisecond {
			t.Errorf("%s: NextAttempt(attempt %d, retry-after %v) = %v, %v; want %v, %v", tt.name, tt.attempt, tt.retryAfter, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := NextAttempt(nil, 1, 0, nil); ok {
		t.Error("an empty schedule is not exhausted")
	}
	// Property: with real randomness every delay stays within ±20%.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		attempt := 1 + rng.IntN(len(DefaultSchedule))
		base := DefaultSchedule[attempt-1]
		got, ok := NextAttempt(DefaultSchedule, attempt, 0, rng.Float64)
		if !ok || got < base*8/10 || got > base*12/10 {
			t.Fatalf("NextAttempt(attempt %d) = %v, %v; want within ±20%% of %v", attempt, got, ok, base)
		}
	}
	if got, ok := NextAttempt(DefaultSchedule, 1, 0, nil); !ok || got < 4*time.Second || got > 6*time.Second {
		t.Errorf("nil rnd: %v, %v", got, ok)
	}
}

func TestShouldDisable(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name         string
		first, now   time.Time
		wantDisabled bool
	}{
		{"not failing", time.Time{}, start, false},
		{"just failed", start, start, false},
		{"4 days", start, start.Add(4 * 24 * time.Hour), false},
		{"a second short of 5 days", start, start.Add(DisableAfter - time.Second), false},
		{"exactly 5 days", start, start.Add(DisableAfter), true},
		{"a week", start, start.Add(7 * 24 * time.Hour), true},
		{"clock went back", start, start.Add(-time.Hour), false},
	} {
		if got := ShouldDisable(tt.first, tt.now); got != tt.wantDisabled {
			t.Errorf("%s: ShouldDisable = %v, want %v", tt.name, got, tt.wantDisabled)
		}
	}
}
