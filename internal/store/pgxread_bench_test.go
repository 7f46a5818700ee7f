package store_test

import (
	"context"
	"syscall"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkTrackingAtKeyGenerationCPU is BenchmarkTrackingAtKeyGeneration
// with a request's (cancellable) context, reporting this process's CPU
// per read (cpu-ns/op), which means something on a shared machine where
// the time per read does not.
//
//	go test ./internal/store -run '^$' -bench TrackingAtKeyGenerationCPU -benchtime 20000x
func BenchmarkTrackingAtKeyGenerationCPU(b *testing.B) {
	for _, engine := range testdb.Engines() {
		st, orgID, id := storedTracking(b, engine)
		b.Run(engine, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPUns(b)
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, orgID, id); err != nil {
					b.Fatal(err)
				}
				cancel()
			}
			b.ReportMetric(float64(processCPUns(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPUns is the user and system CPU time this process has used.
func processCPUns(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
