package tracking_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
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
// due for a poll now, with their poll jobs, 1000 to a transaction.
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

// BenchmarkPollFakeUPS measures the poller end to end: WAYBILL_BENCH_TRACKINGS
// (100,000 by default) active UPS trackings of one organization, all due,
// worked by the queue (WAYBILL_WORKERS-like 20 workers) through the UPS
// connector against the fake UPS API on loopback, with the connection's
// rate limit lifted. It reports polls a second until every tracking has
// been polled once (each poll stores the carrier's first scan: a status
// change, an event and the next poll).
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
	svc := &tracking.Service{Store: st, Carriers: reg, Secrets: newKeyBox(b), Logger: quiet,
		Rates: map[string]carrier.Rate{"ups": {PerSecond: 1e9, Burst: 1 << 30}}}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Workers: 20, Work: true, Logger: quiet},
		queue.Handlers{PollTracking: svc.Poll})
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
	insertDue(b, st, q, org.ID, n, "1ZBENCH")
	b.ResetTimer()
	start := time.Now()
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for fake.TrackRequests() < n {
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	_ = q.Stop(ctx)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "polls/s")
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
// and queue the next). ns/op is the time per tracking per poll, called
// directly; the queue's own dispatch is in BenchmarkPollFakeUPS.
func BenchmarkPollOverhead(b *testing.B) {
	ctx := context.Background()
	st := testdb.Open(b, benchEngine())
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		b.Fatal(err)
	}
	reg := carrier.NewRegistry()
	reg.Register("ups", instantCarrier{})
	svc := &tracking.Service{Store: st, Queue: q, Carriers: reg, Secrets: newKeyBox(b)}
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
