package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkSQLiteReadsBetweenWrites is the store's part of v4 gets by id
// on SQLite's read pool, from parallel goroutines, over 2,000 trackings,
// with a commit on the writer every writeEvery reads (none for 0): each
// commit changes the WAL, and each read connection's next read
// transaction then starts on a cold cache. Reported as this process's
// CPU per read (cpu-ns/op).
//
//	go test ./internal/store -run '^$' -bench SQLiteReadsBetweenWrites -benchtime 100000x
func BenchmarkSQLiteReadsBetweenWrites(b *testing.B) {
	ctx := context.Background()
	st := testdb.Open(b, store.SQLite)
	org, err := st.Write().CreateOrg(ctx, "acme", now)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 2000)
	for i := range ids {
		tr := newTracking(org.ID, "ups", fmt.Sprintf("1ZREAD%08d", i))
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			b.Fatal(err)
		}
		ids[i] = tr.ID
	}
	for _, writeEvery := range []int64{0, 500} {
		b.Run(fmt.Sprintf("write-every-%d", writeEvery), func(b *testing.B) {
			var reads, written atomic.Int64
			cpu := processCPUns(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					reqCtx, cancel := context.WithCancel(ctx)
					if _, _, err := st.Read().TrackingAtKeyGeneration(reqCtx, org.ID, ids[rand.IntN(len(ids))]); err != nil {
						b.Fatal(err)
					}
					cancel()
					if writeEvery > 0 && reads.Add(1)%writeEvery == 0 {
						tr := newTracking(org.ID, "dhl", fmt.Sprintf("W%d-%d", writeEvery, written.Add(1)))
						if err := st.Write().InsertTracking(ctx, tr); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			b.ReportMetric(float64(processCPUns(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
