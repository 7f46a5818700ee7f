package inbound_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// benchSale is a manual sale of three lines for two vendors, the shape the
// load command sends.
func benchSale(ext string) []byte {
	return fmt.Appendf(nil, `{"externalId":%q,"customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},
"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"vendor-a"}]},
{"externalId":"L2","name":"Tee","quantity":2,"price":15,"properties":[{"key":"vendor","value":"vendor-b"}]},
{"externalId":"L3","name":"Cap","quantity":3,"price":12,"properties":[{"key":"vendor","value":"vendor-a"}]}],
"shipping":[{"code":"std","name":"Standard","price":4}]}`, ext)
}

// BenchmarkProcessManualSales measures the processor alone: b.N new
// manual sales are stored as pending messages, then worked by Turn, one
// channel, as the server's workers would (sales, lines, purchases, the
// sale.dropship event and each message's outcome).
func BenchmarkProcessManualSales(b *testing.B) {
	benchProcess(b, false, 0)
}

// BenchmarkProcessManualSalesLargeChannel is BenchmarkProcessManualSales
// on a channel that already holds 50,000 sales (written directly, untimed),
// as after a long drain: a turn must cost the same whatever the channel's
// size.
func BenchmarkProcessManualSalesLargeChannel(b *testing.B) {
	benchProcess(b, false, 50_000)
}

// BenchmarkProcessManualSaleUpdates is BenchmarkProcessManualSales for
// updates: b.N sales are created first (untimed), then b.N messages
// update them (a line's quantity, the customer's name).
func BenchmarkProcessManualSaleUpdates(b *testing.B) {
	benchProcess(b, true, 0)
}

// benchProcess processes b.N manual sales (updates of as many existing
// sales when updates is set) on a channel that holds existing sales first.
func benchProcess(b *testing.B, updates bool, existing int) {
	for _, engine := range testdb.Engines() {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			e := newChannelEnv(b, engine, "bench")
			st := e.st
			p := inbound.NewProcessor(st, e.com, onport.DecodeWrite, nil)
			if existing > 0 {
				seedSales(b, st, e, existing)
			}
			var cpu0 time.Duration
			// work queues b.N messages, then (timed, when timed is set:
			// the processing only, as the ingester's insert is not part
			// of it) processes them.
			work := func(body func(ext string) []byte, timed bool) {
				msgs := make([]*waybill.InboundMessage, b.N)
				for i := range msgs {
					ext := fmt.Sprintf("B%d", i)
					msgs[i] = &waybill.InboundMessage{OrgID: e.orgID, ChannelID: e.channel, Kind: waybill.InboundManualSale,
						ExternalID: ext, Body: body(ext), ReceivedAt: time.Now()}
				}
				if err := st.Write().InsertInbound(ctx, msgs); err != nil {
					b.Fatal(err)
				}
				if timed {
					cpu0 = processCPU(b)
					b.ResetTimer()
				}
				for more := true; more; {
					var err error
					if more, err = p.Turn(ctx, e.channel); err != nil {
						b.Fatal(err)
					}
				}
			}
			body := benchSale
			if updates {
				work(benchSale, false)
				body = func(ext string) []byte {
					return bytes.Replace(bytes.Replace(benchSale(ext), []byte(`"quantity":2`), []byte(`"quantity":4`), 1),
						[]byte(`"Ada"`), []byte(`"Augusta"`), 1)
				}
			}
			work(body, true)
			b.StopTimer()
			cpu := processCPU(b) - cpu0
			logs, err := st.Read().CountPendingInbound(ctx)
			if err != nil || logs != 0 {
				b.Fatalf("%d messages left pending (%v)", logs, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sales/s")
			// This process's CPU per sale (SQLite's work included, not
			// PostgreSQL's server): steadier than sales/s on a shared machine.
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/sale")
		})
	}
}

// seedSales writes n sales to e's channel in one statement, for a customer
// of their own, each with a document of about the size of a real one.
func seedSales(b *testing.B, st *store.Store, e channelEnv, n int) {
	ctx := context.Background()
	cust := waybill.Customer{OrgID: e.orgID, Email: "seed@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := st.Write().SaveCustomer(ctx, &cust); err != nil {
		b.Fatal(err)
	}
	series := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $4) SELECT i FROM n`
	if st.Engine() == store.Postgres {
		series = `SELECT generate_series(1, $4::bigint) AS i`
	}
	_, err := st.Writer().ExecContext(ctx, `INSERT INTO sales (org_id, channel_id, customer_id, external_id, status, doc, created_at, updated_at)
		SELECT $1, $2, $3, 'seed-' || i, 'open', $5, 0, 0 FROM (`+series+`) AS s`, e.orgID, e.channel, cust.ID, n,
		`{"pad":"`+strings.Repeat("x", 600)+`"}`)
	if err != nil {
		b.Fatal(err)
	}
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInsertInbound measures one group commit's store work: a batch
// of 128 new manual sales classified and inserted in one transaction, as
// the ingester does under load. ns/op is per batch.
func BenchmarkInsertInbound(b *testing.B) {
	for _, engine := range testdb.Engines() {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			st := testdb.Open(b, engine)
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			ch := waybill.Channel{OrgID: org.ID, Name: "bench", WebhookHash: "bench", CreatedAt: time.Now()}
			if err := st.Write().InsertChannel(ctx, &ch); err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				msgs := make([]*waybill.InboundMessage, 128)
				for i := range msgs {
					n++
					ext := fmt.Sprintf("B%d", n)
					msgs[i] = &waybill.InboundMessage{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundManualSale,
						ExternalID: ext, Body: benchSale(ext), ReceivedAt: time.Now()}
				}
				if err := st.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertInbound(ctx, msgs) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
