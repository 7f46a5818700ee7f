//go:build unix

package store

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
)

// BenchmarkListOneReadPairs measures the CPU of SQLite's list (keys found
// once, rows read by key, one read transaction) against the list as
// session 11 left it (ListTrackingsTwoReads), call by call in turn (which
// goes first swaps every iteration), with the samples and filters of
// BenchmarkListTrackingsScale. Each iteration lists one random seeded
// tracking's organization both ways with the same filter; the process's
// CPU time (getrusage, every thread: the garbage collector's share
// included) around each call is reported per call and side, as
// old-cpu-us/op and new-cpu-us/op.
//
//	WAYBILL_SCALE_DATABASE_URL=sqlite:/work/scale-dbs/sqlite-100000.db \
//	  go test -run '^$' -bench ListOneReadPairs -benchtime 300x ./internal/store
func BenchmarkListOneReadPairs(b *testing.B) {
	ctx := context.Background()
	st, samples, r := openScaleSamples(b)
	sides := []struct {
		name string
		list func(ctx context.Context, org int64, f waybill.TrackingFilter) (waybill.TrackingPage, error)
	}{
		{"old", func(ctx context.Context, org int64, f waybill.TrackingFilter) (waybill.TrackingPage, error) {
			return ListTrackingsTwoReads(ctx, st.Read(), org, f)
		}},
		{"new", st.Read().ListTrackings},
	}
	for _, f := range scaleListFilters(r) {
		b.Run(f.name, func(b *testing.B) {
			var cpu [2]time.Duration
			var calls [2]int
			for i := 0; b.Loop(); i++ {
				s := samples[r.IntN(len(samples))]
				filter := f.filter(s)
				for k := range 2 {
					side := (i + k) % 2
					before := processCPU(b)
					if _, err := sides[side].list(ctx, s.org, filter); err != nil {
						b.Fatalf("%s: %v", sides[side].name, err)
					}
					cpu[side] += processCPU(b) - before
					calls[side]++
				}
			}
			for side := range sides {
				b.ReportMetric(float64(cpu[side].Microseconds())/float64(calls[side]), sides[side].name+"-cpu-us/op")
			}
		})
	}
}

// processCPU returns the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
