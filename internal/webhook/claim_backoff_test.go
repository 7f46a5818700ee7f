package webhook

import (
	"testing"
	"time"
)

// TestFailedAttemptsBackOff: an attempt that cannot be made is claimable
// again after a wait that doubles at each failure in a row, up to an hour,
// and starts over once an attempt is made.
func TestFailedAttemptsBackOff(t *testing.T) {
	var f FirstAttempts
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	for i, w := range want {
		if got := f.failedBackoff(7, true); got != w {
			t.Errorf("failure %d: %v, want %v", i+1, got, w)
		}
	}
	for range 20 {
		f.failedBackoff(7, true)
	}
	if got := f.failedBackoff(7, true); got != time.Hour {
		t.Errorf("after many failures: %v, want 1h", got)
	}
	if got := f.failedBackoff(8, true); got != 5*time.Second {
		t.Errorf("another delivery's first failure: %v, want 5s", got)
	}
	f.failedBackoff(7, false)
	if got := f.failedBackoff(7, true); got != 5*time.Second {
		t.Errorf("failure after an attempt made: %v, want 5s", got)
	}
}
