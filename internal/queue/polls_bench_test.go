package queue_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkEnqueuePollBatch queues the polls of a group-committed batch of
// 32 creates (each its next poll, 15 minutes on) in one transaction per
// iteration, as tracking.Service.writeCreates does, and reports, besides
// the time, this process's CPU per poll (user + system, getrusage): a
// figure a loaded machine disturbs less than the time. On PostgreSQL the
// database's own CPU is not in it.
func BenchmarkEnqueuePollBatch(b *testing.B) {
	for _, engine := range testdb.Engines() {
		b.Run(engine, func(b *testing.B) { benchPollBatches(b, testdb.Open(b, engine)) })
	}
}

// benchPollBatches is BenchmarkEnqueuePollBatch on one store.
func benchPollBatches(b *testing.B, st *store.Store) {
	ctx, q := context.Background(), idleQueue(b, st)
	const batch = 32
	due := time.Now().Add(15 * time.Minute)
	polls := make([]queue.Poll, batch)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := range b.N {
		for j := range polls {
			polls[j] = queue.Poll{OrgID: 1, TrackingID: fmt.Sprintf("t%d-%d", i, j), Due: due}
		}
		if err := st.WithTx(ctx, func(tx *store.Tx) error {
			return q.EnqueuePollBatch(ctx, tx.SQL(), polls, queue.PriorityRoutine)
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N*batch), "cpu-µs/poll")
}

// processCPU is this process's user + system time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
