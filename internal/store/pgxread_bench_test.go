package store_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
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

// BenchmarkTrackingAtKeyGenerationParallel reads one tracking by id from
// 16 goroutines at once (8 per CPU at GOMAXPROCS=2) on PostgreSQL, each
// read alone (loops=0) or in batches read by at most loops at once,
// reporting this process's CPU per read and the reads per batch. The
// backends' CPU is not in it.
//
//	go test ./internal/store -run '^$' -bench TrackingAtKeyGenerationParallel -benchtime 20000x
func BenchmarkTrackingAtKeyGenerationParallel(b *testing.B) {
	for _, loops := range []int{0, 4, 8} {
		st, orgID, id := storedTracking(b, store.Postgres)
		st.SetBatchedReadLoops(loops)
		b.Run(fmt.Sprintf("loops=%d", loops), func(b *testing.B) {
			before := st.ReadBatchStats()
			cpu := processCPUns(b)
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := st.Read().TrackingAtKeyGeneration(context.Background(), orgID, id); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(processCPUns(b)-cpu)/float64(b.N), "cpu-ns/op")
			if s := st.ReadBatchStats(); s.Batches > before.Batches {
				b.ReportMetric(float64(s.Keys-before.Keys)/float64(s.Batches-before.Batches), "reads/batch")
			}
		})
	}
}
