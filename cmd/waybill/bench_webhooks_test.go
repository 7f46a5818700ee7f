package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDeliveryTimeline checks the per-second split of push to first
// delivery: events are counted in the second their push was due in, an
// event never delivered is left out, and the part after the push's answer
// is never below zero (a delivery can arrive before its push's answer).
func TestDeliveryTimeline(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	sent := map[string]pushed{
		"a": {sent: ms(0), answered: ms(100), second: 0},     // 300 ms, 200 after the answer
		"b": {sent: ms(500), answered: ms(520), second: 0},   // 10 ms, before its answer
		"c": {sent: ms(1200), answered: ms(1210), second: 1}, // 50 ms, 40 after
		"d": {sent: ms(1300), answered: ms(1310), second: 1}, // never delivered
	}
	first := map[string]time.Time{"a": ms(300), "b": ms(510), "c": ms(1250)}
	got := deliveryTimeline(sent, first, 3)
	want := []map[string]any{
		{"second": 0, "events": int64(2), "first_p50_ms": 10.0, "first_p99_ms": 300.0, "first_max_ms": 300.0,
			"after_answer_p50_ms": 0.0, "after_answer_p99_ms": 200.0, "after_answer_max_ms": 200.0},
		{"second": 1, "events": int64(1), "first_p50_ms": 50.0, "first_p99_ms": 50.0, "first_max_ms": 50.0,
			"after_answer_p50_ms": 40.0, "after_answer_p99_ms": 40.0, "after_answer_max_ms": 40.0},
	}
	// The histogram keeps a latency within 1 % of its value.
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0.01, 0)); diff != "" {
		t.Errorf("deliveryTimeline mismatch (-want +got):\n%s", diff)
	}
}
