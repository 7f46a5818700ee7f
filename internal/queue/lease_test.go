package queue

import (
	"testing"
	"time"
)

// TestLeaseTimeouts checks that a job is cancelled before the lease after
// which another process takes it, at the default lease and a short one.
func TestLeaseTimeouts(t *testing.T) {
	for _, lease := range []time.Duration{0, DefaultLease, 2 * DefaultLease, 10 * time.Second, time.Second} {
		job, orphan, sweep := leaseTimeouts(lease)
		want := min(lease, DefaultLease)
		if lease == 0 {
			want = DefaultLease
		}
		if orphan != want || job >= orphan || orphan-job < orphan/6 || sweep <= 0 || sweep > orphan/4+time.Millisecond && sweep > 100*time.Millisecond {
			t.Errorf("lease %v: job timeout %v, orphaned after %v, swept every %v", lease, job, orphan, sweep)
		}
	}
	if job, orphan, _ := leaseTimeouts(0); job != 75*time.Second || orphan != 90*time.Second {
		t.Errorf("default: job timeout %v, orphaned after %v; want 75s and 90s", job, orphan)
	}
}
