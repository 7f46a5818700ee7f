package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// listFixture fills two organizations with interleaved trackings of every
// kind a list filters on, and returns the first organization.
func listFixture(t *testing.T, st *store.Store, perOrg int) int64 {
	t.Helper()
	ctx := context.Background()
	orgs := []int64{mustOrg(t, st, "acme").ID, mustOrg(t, st, "other").ID}
	r := rand.New(rand.NewPCG(12, 7))
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	var batch []*waybill.Tracking
	for i := range perOrg {
		for _, org := range orgs {
			tr := newTracking(org, pick("ups", "fedex", "dhl", "usps"), fmt.Sprintf("NUM%d-%05d", org, i))
			tr.Tag = waybill.Tag(pick("Pending", "InTransit", "Delivered", "Exception", "OutForDelivery"))
			tr.CreatedAt = now.Add(-time.Duration(perOrg-i)*time.Hour - time.Duration(r.IntN(3600))*time.Second)
			tr.UpdatedAt = tr.CreatedAt.Add(time.Duration(r.IntN(72)) * time.Hour)
			if r.IntN(3) > 0 {
				tr.OrderID = fmt.Sprintf("order-%d", r.IntN(40))
			}
			tr.Emails = []string{fmt.Sprintf("customer%d@example.com", r.IntN(60))}
			tr.Title = pick("running shoes", "a lamp", "Red_Shoes 100%", "books")
			tr.OriginCountryISO3 = pick("", "USA", "CHN")
			tr.DestinationCountryISO3 = pick("", "GBR", "USA", "DEU")
			if r.IntN(4) == 0 {
				days := 1 + r.IntN(9)
				tr.DeliveryTime = &days
			}
			tr.ReturnToSender = r.IntN(10) == 0
			batch = append(batch, tr)
		}
	}
	if _, err := st.Write().InsertTrackings(ctx, batch); err != nil {
		t.Fatal(err)
	}
	return orgs[0]
}

// randomFilter returns a filter of one to four of the list's conditions,
// values chosen so that some match many trackings, some few, some none.
func randomFilter(r *rand.Rand, perOrg int) waybill.TrackingFilter {
	var f waybill.TrackingFilter
	maybe := func() bool { return r.IntN(4) == 0 }
	some := func(vals ...string) []string {
		r.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
		return vals[:1+r.IntN(2)]
	}
	if maybe() {
		f.Tags = some("InTransit", "Delivered", "Exception", "Expired")
	}
	if maybe() {
		f.Slugs = some("ups", "fedex", "dhl", "usps")
	}
	if maybe() {
		f.Keyword = []string{"shoes", "customer1", "red_shoes 100%", "@example.com", "nobody", "%"}[r.IntN(6)]
	}
	if maybe() {
		f.OrderID = fmt.Sprintf("order-%d", r.IntN(45))
	}
	if maybe() {
		f.Destinations = some("GBR", "USA", "DEU")
	}
	if maybe() {
		f.Origins = some("USA", "CHN")
	}
	if r.IntN(8) == 0 {
		days := 1 + r.IntN(9)
		f.DeliveryDays = &days
	}
	if r.IntN(8) == 0 {
		yes := r.IntN(2) == 0
		f.ReturnToSender = &yes
	}
	span := time.Duration(perOrg) * time.Hour
	if maybe() {
		f.CreatedMin = now.Add(-time.Duration(r.Int64N(int64(span))))
		if maybe() {
			f.CreatedMax = f.CreatedMin.Add(time.Duration(r.IntN(200)) * time.Hour)
		}
	}
	if maybe() {
		f.UpdatedMax = now.Add(-time.Duration(r.Int64N(int64(span))))
		if maybe() {
			f.UpdatedMin = f.UpdatedMax.Add(-time.Duration(r.IntN(100)) * time.Hour)
		}
	}
	f.Limit = []int{1, 7, 50, 100, 1000}[r.IntN(5)]
	if r.IntN(3) == 0 {
		f.Offset = r.IntN(perOrg + 20)
	}
	return f
}

// TestListByKeysMatchesTwoReads compares SQLite's list (the keys found
// once, their rows read by key, one read transaction) with the list as
// session 11 left it (the page's statement finding the keys again), over
// fixed and random filters, offsets past the end, and cursor walks to the
// end as the 2026-07 face pages: the same trackings, in the same order,
// with the same count and cursor.
func TestListByKeysMatchesTwoReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.Open(t, store.SQLite)
	const perOrg = 300
	org := listFixture(t, st, perOrg)
	yes, three := true, 3
	filters := []waybill.TrackingFilter{
		{},
		{Offset: 100},
		{Offset: perOrg},
		{Offset: perOrg + 50},
		{Tags: []string{"Delivered"}},
		{Tags: []string{"InTransit", "Exception"}},
		{Slugs: []string{"ups"}},
		{CreatedMin: now.Add(-100 * time.Hour), CreatedMax: now.Add(-20 * time.Hour)},
		{UpdatedMin: now.Add(-50 * time.Hour), UpdatedMax: now},
		{Keyword: "shoes"},
		{Keyword: "shoes", Offset: 40},
		{Keyword: "shoes", Offset: 1000},
		{Keyword: "nobody"},
		{OrderID: "order-3"},
		{TrackingNumbers: []string{fmt.Sprintf("NUM%d-%05d", org, 7), fmt.Sprintf("NUM%d-%05d", org, 8), "NOPE"}},
		{Destinations: []string{"GBR"}, ReturnToSender: &yes},
		{DeliveryDays: &three},
	}
	r := rand.New(rand.NewPCG(18, 12))
	for range 300 {
		filters = append(filters, randomFilter(r, perOrg))
	}
	for i, f := range filters {
		if f.Limit == 0 {
			f.Limit = 50
		}
		for pages := 0; ; pages++ {
			want, err := store.ListTrackingsTwoReads(ctx, st.Read(), org, f)
			if err != nil {
				t.Fatalf("filter %d %+v: two reads: %v", i, f, err)
			}
			got, err := st.Read().ListTrackings(ctx, org, f)
			if err != nil {
				t.Fatalf("filter %d %+v: %v", i, f, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("filter %d %+v: page %d mismatch (-want +got):\n%s", i, f, pages, diff)
			}
			// Every fourth filter walks by cursor to the end (the
			// 2026-07 face), the others stop at their first page.
			if i%4 != 0 || got.NextSeq == 0 || f.Offset > 0 {
				break
			}
			if pages > perOrg {
				t.Fatalf("filter %d %+v: the cursor walk does not end", i, f)
			}
			f.BeforeSeq = got.NextSeq
		}
	}
}

// TestListIsOneSnapshot lists an organization while trackings are added
// to it: the count and the page are read in one transaction, so a page
// that holds every tracking always holds as many as the count says.
func TestListIsOneSnapshot(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testdb.Open(t, store.SQLite)
	org := mustOrg(t, st, "acme")
	var wg sync.WaitGroup
	wg.Add(1)
	errs := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil && i < 400; i++ {
			if err := st.Write().InsertTracking(ctx, newTracking(org.ID, "ups", fmt.Sprintf("SNAP%04d", i))); err != nil {
				if ctx.Err() == nil {
					errs <- err
				}
				return
			}
		}
	}()
	for range 300 {
		page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Limit: waybill.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Trackings) != page.Total {
			t.Fatalf("a page of %d trackings counted %d", len(page.Trackings), page.Total)
		}
	}
	cancel()
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}
