package store

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
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
	ctx := context.Background()
	st, samples, r := openScaleSamples(b)
	for _, f := range scaleListFilters(r) {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				s := samples[r.IntN(len(samples))]
				if _, err := st.Read().ListTrackings(ctx, s.org, f.filter(s)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scaleSample is a seeded tracking a list is asked about.
type scaleSample struct {
	org, id     int64
	slug, order string
	email       string // a customer's email in its search text, if any
	created     time.Time
}

// openScaleSamples opens the database WAYBILL_SCALE_DATABASE_URL names
// (skipping the benchmark without it) and draws 200 random seeded
// trackings from it.
func openScaleSamples(b *testing.B) (*Store, []scaleSample, *rand.Rand) {
	url := os.Getenv("WAYBILL_SCALE_DATABASE_URL")
	if url == "" {
		b.Skip("WAYBILL_SCALE_DATABASE_URL is not set")
	}
	ctx := context.Background()
	st, err := Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var maxID int64
	if err := st.Writer().QueryRowContext(ctx, "SELECT MAX(id) FROM trackings").Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var samples []scaleSample
	for len(samples) < 200 {
		var s scaleSample
		var created int64
		var search string
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
		s.created = fromMicros(created)
		samples = append(samples, s)
	}
	return st, samples, r
}

// scaleListFilter is a list call's filter for a sample.
type scaleListFilter struct {
	name   string
	filter func(s scaleSample) waybill.TrackingFilter
}

// scaleListFilters are the list calls of `waybill bench scale`, 100 a
// page, and a cursor page of 200 at a random position (the 2026-07 face's
// walk), each made for a sample.
func scaleListFilters(r *rand.Rand) []scaleListFilter {
	return []scaleListFilter{
		{"none", func(scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100} }},
		{"tag", func(scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, Tags: []string{[]string{"InTransit", "Delivered", "Exception", "OutForDelivery"}[r.IntN(4)]}}
		}},
		{"slug", func(s scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, Slugs: []string{s.slug}}
		}},
		{"created", func(s scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, CreatedMin: s.created.Add(-7 * 24 * time.Hour), CreatedMax: s.created}
		}},
		{"updated", func(s scaleSample) waybill.TrackingFilter {
			d := s.created.Add(24 * time.Hour).Truncate(24 * time.Hour)
			return waybill.TrackingFilter{Limit: 100, UpdatedMin: d, UpdatedMax: d.Add(24 * time.Hour)}
		}},
		{"keyword", func(s scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, Keyword: s.email}
		}},
		{"order", func(s scaleSample) waybill.TrackingFilter {
			return waybill.TrackingFilter{Limit: 100, OrderID: s.order}
		}},
		{"page20", func(scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 100, Offset: 1900} }},
		{"cursor200", func(s scaleSample) waybill.TrackingFilter { return waybill.TrackingFilter{Limit: 200, BeforeSeq: s.id} }},
	}
}
