//go:build unix

package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// BenchmarkListOneReadPairs measures the CPU of SQLite's list (keys found
// once, rows read by key, one read transaction) against the list as
// session 11 left it (store.ListTrackingsTwoReads), call by call in turn
// (which goes first swaps every iteration), on a database `waybill bench
// seed` filled, named by WAYBILL_SCALE_DATABASE_URL (skipped without it).
// Each iteration lists one random seeded tracking's organization both
// ways with the same filter; the process's CPU time (getrusage, every
// thread: the garbage collector's share included) around each call is
// reported per call and side, as old-cpu-us/op and new-cpu-us/op.
//
//	WAYBILL_SCALE_DATABASE_URL=sqlite:/work/scale-dbs/sqlite-100000.db \
//	  go test -run '^$' -bench ListOneReadPairs -benchtime 400x ./internal/store
func BenchmarkListOneReadPairs(b *testing.B) {
	url := os.Getenv("WAYBILL_SCALE_DATABASE_URL")
	if url == "" {
		b.Skip("WAYBILL_SCALE_DATABASE_URL is not set")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	type sample struct {
		org, id     int64
		slug, order string
		email       string
		created     time.Time
	}
	var maxID int64
	if err := st.Writer().QueryRowContext(ctx, "SELECT MAX(id) FROM trackings").Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var samples []sample
	for len(samples) < 200 {
		var s sample
		var search string
		var created int64
		err := st.Writer().QueryRowContext(ctx, "SELECT id, org_id, slug, order_id, created_at, search_text FROM trackings WHERE id = $1",
			1+r.Int64N(maxID)).Scan(&s.id, &s.org, &s.slug, &s.order, &created, &search)
		if err != nil {
			continue
		}
		for _, w := range strings.Fields(search) {
			if strings.Contains(w, "@") {
				s.email = w
			}
		}
		s.created = time.UnixMicro(created).UTC()
		samples = append(samples, s)
	}
	sides := []struct {
		name string
		list func(ctx context.Context, org int64, f waybill.TrackingFilter) (waybill.TrackingPage, error)
	}{
		{"old", func(ctx context.Context, org int64, f waybill.TrackingFilter) (waybill.TrackingPage, error) {
			return store.ListTrackingsTwoReads(ctx, st.Read(), org, f)
		}},
		{"new", st.Read().ListTrackings},
	}
	for _, f := range []struct {
		name   string
		filter func(s sample) waybill.TrackingFilter
	}{
		{"none", func(sample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100} }},
		{"tag", func(sample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, Tags: []string{[]string{"InTransit", "Delivered", "Exception", "OutForDelivery"}[r.IntN(4)]}}
		}},
		{"slug", func(s sample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, Slugs: []string{s.slug}}
		}},
		{"created", func(s sample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, CreatedMin: s.created.Add(-7 * 24 * time.Hour), CreatedMax: s.created}
		}},
		{"updated", func(s sample) waybill.TrackingFilter {
			d := s.created.Add(24 * time.Hour).Truncate(24 * time.Hour)
			return waybill.TrackingFilter{Limit: 100, UpdatedMin: d, UpdatedMax: d.Add(24 * time.Hour)}
		}},
		{"keyword", func(s sample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100, Keyword: s.email} }},
		{"order", func(s sample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100, OrderID: s.order} }},
		{"page20", func(sample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100, Offset: 1900} }},
		{"cursor200", func(s sample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 200, BeforeSeq: s.id} }},
	} {
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
