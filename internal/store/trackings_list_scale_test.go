package store

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
)

// BenchmarkListTrackingsScale runs the list filters of `waybill bench
// scale` against a database `waybill bench seed` filled, named by
// WAYBILL_SCALE_DATABASE_URL (skipped without it), one call after another,
// each for a random seeded tracking's organization and times:
//
//	WAYBILL_SCALE_DATABASE_URL=sqlite:/work/scale-dbs/sqlite-100000.db \
//	  go test -run '^$' -bench ListTrackingsScale -benchtime 200x ./internal/store
func BenchmarkListTrackingsScale(b *testing.B) {
	url := os.Getenv("WAYBILL_SCALE_DATABASE_URL")
	if url == "" {
		b.Skip("WAYBILL_SCALE_DATABASE_URL is not set")
	}
	ctx := context.Background()
	st, err := Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	type sample struct {
		org         int64
		slug, order string
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
		var created int64
		err := st.Writer().QueryRowContext(ctx, "SELECT org_id, slug, order_id, created_at FROM trackings WHERE id = $1",
			1+r.Int64N(maxID)).Scan(&s.org, &s.slug, &s.order, &created)
		if err == nil {
			s.created = fromMicros(created)
			samples = append(samples, s)
		}
	}
	for _, f := range []struct {
		name   string
		filter func(s sample) waybill.TrackingFilter
	}{
		{"none", func(sample) waybill.TrackingFilter { return waybill.TrackingFilter{} }},
		{"tag", func(sample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Tags: []string{[]string{"InTransit", "Delivered", "Exception", "OutForDelivery"}[r.IntN(4)]}}
		}},
		{"slug", func(s sample) waybill.TrackingFilter { return waybill.TrackingFilter{Slugs: []string{s.slug}} }},
		{"created", func(s sample) waybill.TrackingFilter {
			return waybill.TrackingFilter{CreatedMin: s.created.Add(-7 * 24 * time.Hour), CreatedMax: s.created}
		}},
		{"updated", func(s sample) waybill.TrackingFilter {
			d := s.created.Add(24 * time.Hour).Truncate(24 * time.Hour)
			return waybill.TrackingFilter{UpdatedMin: d, UpdatedMax: d.Add(24 * time.Hour)}
		}},
		{"order", func(s sample) waybill.TrackingFilter { return waybill.TrackingFilter{OrderID: s.order} }},
		{"page20", func(sample) waybill.TrackingFilter { return waybill.TrackingFilter{Offset: 1900} }},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				s := samples[r.IntN(len(samples))]
				filter := f.filter(s)
				filter.Limit = 100
				if _, err := st.Read().ListTrackings(ctx, s.org, filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
