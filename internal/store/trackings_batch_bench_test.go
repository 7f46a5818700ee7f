package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkInsertTrackingsPollDue is the store's part of a batch of
// creates as the create committer writes it (tracking.Service.writeCreates
// with ClaimPolls): a transaction of batch new trackings, each with its
// first poll due, and its commit; this process's CPU per tracking
// (cpu-ns/tracking; on PostgreSQL the server's is not counted), and the
// part of it spent in the statements, before the commit
// (stmt-cpu-ns/tracking: the commit's writes and fsync vary more than
// the statements do on a shared machine).
//
//	go test ./internal/store -run '^$' -bench InsertTrackingsPollDue -benchtime 400x
func BenchmarkInsertTrackingsPollDue(b *testing.B) {
	for _, engine := range testdb.Engines() {
		for _, batch := range []int{1, 5, 16} {
			b.Run(fmt.Sprintf("%s/batch=%d", engine, batch), func(b *testing.B) {
				st := testdb.Open(b, engine)
				ctx := context.Background()
				org, err := st.Write().CreateOrg(ctx, "acme", now)
				if err != nil {
					b.Fatal(err)
				}
				n, stmtCPU := 0, int64(0)
				write := func() {
					ts, due := make([]*waybill.Tracking, batch), make([]time.Time, batch)
					for i := range ts {
						n++
						ts[i], due[i] = newTracking(org.ID, "dhl", fmt.Sprintf("WB%014d", n)), now.Add(time.Duration(n)*time.Second)
					}
					if err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
						start := processCPUns(b)
						_, err := tx.InsertTrackingsPollDue(ctx, ts, due)
						stmtCPU += processCPUns(b) - start
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
				write() // the statements are prepared after their first transaction
				cpu, stmtCPU := processCPUns(b), int64(0)
				for b.Loop() {
					write()
				}
				b.ReportMetric(float64(processCPUns(b)-cpu)/float64(b.N*batch), "cpu-ns/tracking")
				b.ReportMetric(float64(stmtCPU)/float64(b.N*batch), "stmt-cpu-ns/tracking")
			})
		}
	}
}
