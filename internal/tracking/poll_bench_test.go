package tracking_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
	"github.com/waybillhq/waybill/internal/carrier/ups"
	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// benchEngine is WAYBILL_BENCH_ENGINE: sqlite (default) or postgres.
func benchEngine() string {
	if e := os.Getenv("WAYBILL_BENCH_ENGINE"); e != "" {
		return e
	}
	return store.SQLite
}

// insertDue stores n active UPS trackings of the organization, every one
// due for a poll now, with their poll jobs (q not nil) or their polls in
// their rows (q nil), 1000 to a transaction.
func insertDue(b *testing.B, st *store.Store, q *queue.Queue, orgID int64, n int, prefix string) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for start := 0; start < n; start += 1000 {
		err := st.WithTx(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				t := waybill.Tracking{OrgID: orgID, CreatedAt: now, UpdatedAt: now, LastUpdatedAt: now,
					TrackingNumber: fmt.Sprintf("%s%010d", prefix, i), Slug: "ups", Active: true, Tag: waybill.TagPending,
					Subtag: waybill.DefaultSubtag(waybill.TagPending), Source: "bench", Checkpoints: []waybill.Checkpoint{}, NextPollAt: now}
				t.Title = t.TrackingNumber
				if q == nil {
					if err := tx.InsertTrackingPollDue(ctx, &t, now); err != nil {
						return err
					}
					continue
				}
				if err := tx.InsertTracking(ctx, &t); err != nil {
					return err
				}
				if err := q.EnqueuePoll(ctx, tx.SQL(), orgID, t.ID, t.NextPollAt, queue.PriorityNew); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// processCPU is the CPU time this process has used (user and system).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPollFakeUPS measures the poller end to end as waybill serve
// runs it: WAYBILL_BENCH_TRACKINGS (100,000 by default) active UPS
// trackings of one organization, all due, their polls claimed from their
// rows by the poll loop (tracking.PollClaims, 20 workers like
// WAYBILL_WORKERS) and made through the UPS connector against the fake
// UPS API on loopback, with the connection's rate limit lifted. It
// reports polls a second until every tracking has been polled once (each
// poll stores the carrier's first scan: a status change, an event and the
// next poll), and this process's CPU per poll (cpu-us/poll; on PostgreSQL
// the server's CPU is apart).
func BenchmarkPollFakeUPS(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("WAYBILL_BENCH_TRACKINGS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st := testdb.Open(b, benchEngine())
	fake := upsfake.New(nil)
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	reg := carrier.NewRegistry()
	reg.Register("ups", ups.New(ups.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)}))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &tracking.Service{Store: st, Carriers: reg, Secrets: newKeyBox(b), Logger: quiet, ClaimPolls: true,
		Rates: map[string]carrier.Rate{"ups": {PerSecond: 1e9, Burst: 1 << 30}}}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		b.Fatal(err)
	}
	svc.Queue = q
	org, err := st.Write().CreateOrg(ctx, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateConnection(ctx, org.ID, "ups", map[string]string{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret}); err != nil {
		b.Fatal(err)
	}
	insertDue(b, st, nil, org.ID, n, "1ZBENCH")
	polls := &tracking.PollClaims{Service: svc, Workers: 20, Logger: quiet}
	b.ResetTimer()
	var tuples map[string][4]int64
	if st.Engine() == store.Postgres {
		tuples = tupleWrites(b, st)
	}
	start, cpu, pgCPU := time.Now(), processCPU(b), postgresCPU()
	claims, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { polls.Run(claims, ctx); close(done) }()
	for fake.TrackRequests() < n {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-done
	_ = polls.Wait(ctx)
	elapsed, cpu := time.Since(start), processCPU(b)-cpu
	b.StopTimer()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "polls/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/poll")
	if st.Engine() == store.Postgres {
		b.ReportMetric(float64((postgresCPU()-pgCPU).Microseconds())/float64(n), "pg-cpu-us/poll")
		reportTupleWrites(b, st, tuples, n)
	}
	b.ReportMetric(float64(n), "trackings")
	b.ReportMetric(0, "ns/op")
}

// instantCarrier answers at once that it knows no number: what remains of
// a poll is the scheduler's own work.
type instantCarrier struct{}

func (instantCarrier) Fetch(context.Context, carrier.FetchRequest) (carrier.FetchResult, error) {
	return carrier.FetchResult{}, carrier.ErrNotFound
}

// BenchmarkPollOverhead is the scheduler's overhead per tracking: one
// poll of one due tracking with a carrier that answers at once (read the
// tracking, find and open its connection, pass its gate, store the poll
// and schedule the next, in the tracking's row as waybill serve does).
// ns/op is the time per tracking per poll, called directly; the claim's
// own dispatch is in BenchmarkPollFakeUPS.
func BenchmarkPollOverhead(b *testing.B) {
	ctx := context.Background()
	st := testdb.Open(b, benchEngine())
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		b.Fatal(err)
	}
	reg := carrier.NewRegistry()
	reg.Register("ups", instantCarrier{})
	svc := &tracking.Service{Store: st, Queue: q, Carriers: reg, Secrets: newKeyBox(b), ClaimPolls: true}
	org, err := st.Write().CreateOrg(ctx, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateConnection(ctx, org.ID, "ups", map[string]string{"client_id": "id", "client_secret": "secret"}); err != nil {
		b.Fatal(err)
	}
	insertDue(b, st, q, org.ID, b.N, fmt.Sprintf("1ZOVER%d", b.N))
	var ids []waybill.Tracking
	for before := int64(0); len(ids) < b.N; {
		page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Limit: 1000, BeforeSeq: before})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, page.Trackings...)
		if page.NextSeq == 0 {
			break
		}
		before = page.NextSeq
	}
	b.ResetTimer()
	for _, t := range ids {
		if err := svc.Poll(ctx, org.ID, t.ID, t.NextPollAt); err != nil {
			b.Fatal(err)
		}
	}
}

// postgresCPU is the CPU time (user and system) of every process named
// postgres on this machine (the server's backends; other users' too), read
// from /proc, for a benchmark's server-side CPU per poll.
func postgresCPU() time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var ticks int64
	for _, d := range dirs {
		raw, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ 100
}

// tupleWrites is, for the tables of the database's current schema, the
// rows inserted, updated (and of those, HOT) and deleted so far, by table
// (PostgreSQL's statistics; they lag a transaction's end by up to a
// second).
func tupleWrites(b *testing.B, st *store.Store) map[string][4]int64 {
	rows, err := st.Writer().QueryContext(context.Background(), `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del
		FROM pg_stat_user_tables WHERE schemaname = current_schema()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[string][4]int64{}
	for rows.Next() {
		var name string
		var c [4]int64
		if err := rows.Scan(&name, &c[0], &c[1], &c[2], &c[3]); err != nil {
			b.Fatal(err)
		}
		out[name] = c
	}
	return out
}

// reportTupleWrites reports the rows written per poll since before, in
// trackings, poll_schedule and river_job: inserted+updated+deleted (HOT
// updates apart).
func reportTupleWrites(b *testing.B, st *store.Store, before map[string][4]int64, n int) {
	time.Sleep(1500 * time.Millisecond) // the statistics' flush
	after := tupleWrites(b, st)
	for _, table := range []string{"trackings", "poll_schedule", "river_job"} {
		a, z := after[table], before[table]
		writes := (a[0] - z[0]) + (a[1] - z[1]) + (a[3] - z[3])
		b.ReportMetric(float64(writes)/float64(n), table+"-rows/poll")
		b.ReportMetric(float64(a[2]-z[2])/float64(n), table+"-hot/poll")
		// Updates alone: the inserts of the set-up can reach the
		// statistics late, within the measure.
		b.ReportMetric(float64(a[1]-z[1])/float64(n), table+"-updates/poll")
	}
}
