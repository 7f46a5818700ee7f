package store_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkRiverIdleFetch is River's fetch of available jobs on the
// store's SQLite writer with nothing to claim, as idle queues poll: four
// queues in turn, each with its own limit (the queues' workers), and this
// process's CPU per fetch (cpu-ns/op).
//
//	go test ./internal/store -run '^$' -bench RiverIdleFetch -benchtime 2000x
func BenchmarkRiverIdleFetch(b *testing.B) {
	st := testdb.Open(b, store.SQLite)
	ctx := context.Background()
	if err := queue.Migrate(st.Writer(), store.SQLite)(ctx); err != nil {
		b.Fatal(err)
	}
	exec := riversqlite.New(st.Writer()).GetExecutor()
	queues := []struct {
		name  string
		limit int
	}{{"default", 100}, {"webhooks", 20}, {"notifications", 10}, {"onport", 4}}
	b.ReportAllocs()
	cpu := processCPUns(b)
	i := 0
	for b.Loop() {
		q := queues[i%len(queues)]
		i++
		if _, err := exec.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{ClientID: "c", MaxAttemptedBy: 100, MaxToLock: q.limit, Queue: q.name}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPUns(b)-cpu)/float64(b.N), "cpu-ns/op")
}
