package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// testKeywordLongTexts lists by keyword trackings whose search text is
// longer than PostgreSQL's trackings_org_search index holds (2,000 bytes:
// migration 00024) beside short ones: a keyword at the end of a long text,
// in a short text, and in both, is found in each, counted once, newest
// first, and the keyword list stays within the organization.
func testKeywordLongTexts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
	long := strings.Repeat("x", waybill.MaxTextLen)
	for i, tr := range []struct {
		org      int64
		number   string
		long     bool
		customer string
	}{
		{org.ID, "LONG1", true, "alice"}, {org.ID, "SHORT1", false, "alice"}, {org.ID, "LONG2", true, "bob"},
		{org.ID, "SHORT2", false, "carol"}, {other.ID, "LONG3", true, "alice"}, {other.ID, "SHORT3", false, "alice"},
	} {
		row := newTracking(tr.org, "ups", tr.number)
		row.CreatedAt = now.Add(time.Duration(i) * time.Minute)
		row.UpdatedAt = row.CreatedAt
		if tr.long {
			// Title, order id, order number and customer name of 512
			// bytes each before the email: over 2,000 bytes.
			row.Title, row.OrderID, row.OrderNumber, row.CustomerName = long, long, long, long
		}
		row.Emails = []string{tr.customer + "@example.com"}
		if err := st.Write().InsertTracking(ctx, row); err != nil {
			t.Fatal(err)
		}
	}
	for keyword, want := range map[string][]string{ // newest first
		"alice@example.com": {"SHORT1", "LONG1"},
		"bob@":              {"LONG2"},
		"carol":             {"SHORT2"},
		"xxxxx":             {"LONG2", "LONG1"},
		"example.com":       {"SHORT2", "LONG2", "SHORT1", "LONG1"},
		"nobody":            nil,
	} {
		page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Keyword: keyword, Limit: 10})
		if err != nil {
			t.Fatalf("%s: %v", keyword, err)
		}
		var got []string
		for _, tr := range page.Trackings {
			got = append(got, tr.TrackingNumber)
		}
		if !slices.Equal(got, want) || page.Total != len(want) {
			t.Errorf("keyword %q: %v (total %d); want %v", keyword, got, page.Total, want)
		}
	}
}

// TestKeywordListTotals checks the count a keyword list gives with its
// page (the keys carry it) on every page: the first, a later one, one
// past the end (no key to carry it), and one after a cursor (whose
// condition the count leaves out).
func TestKeywordListTotals(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
			for i, number := range []string{"K1", "K2", "K3", "K4", "K5"} {
				for _, o := range []int64{org.ID, other.ID} {
					row := newTracking(o, "ups", number)
					row.CreatedAt = now.Add(time.Duration(i) * time.Minute)
					row.UpdatedAt = row.CreatedAt
					row.Emails = []string{"shopper@example.com"}
					if i == 2 {
						row.Emails = []string{"someone@else.org"}
					}
					if err := st.Write().InsertTracking(ctx, row); err != nil {
						t.Fatal(err)
					}
				}
			}
			first, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Keyword: "shopper", Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				f    waybill.TrackingFilter
				want []string
			}{
				{"first page", waybill.TrackingFilter{Keyword: "shopper", Limit: 2}, []string{"K5", "K4"}},
				{"second page", waybill.TrackingFilter{Keyword: "shopper", Limit: 2, Offset: 2}, []string{"K2", "K1"}},
				{"past the end", waybill.TrackingFilter{Keyword: "shopper", Limit: 2, Offset: 4}, nil},
				{"far past the end", waybill.TrackingFilter{Keyword: "shopper", Limit: 2, Offset: 100}, nil},
				{"after a cursor", waybill.TrackingFilter{Keyword: "shopper", Limit: 2, BeforeSeq: first.NextSeq}, []string{"K2", "K1"}},
				{"no match", waybill.TrackingFilter{Keyword: "nobody", Limit: 2}, nil},
			} {
				page, err := st.Read().ListTrackings(ctx, org.ID, c.f)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var got []string
				for _, tr := range page.Trackings {
					got = append(got, tr.TrackingNumber)
				}
				wantTotal := 4
				if c.name == "no match" {
					wantTotal = 0
				}
				if !slices.Equal(got, c.want) || page.Total != wantTotal {
					t.Errorf("%s: %v (total %d); want %v (total %d)", c.name, got, page.Total, c.want, wantTotal)
				}
			}
		})
	}
}
