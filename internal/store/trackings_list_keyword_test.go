package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestKeywordListFindsLongSearchTexts lists by keyword trackings whose
// search text is longer than PostgreSQL's trackings_org_search index holds
// (2,000 bytes: migration 00024) beside short ones: a keyword at the end of
// a long text, in a short text, and in both, is found in each, counted
// once, newest first, and the keyword list stays within the organization.
func TestKeywordListFindsLongSearchTexts(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
			long := strings.Repeat("x", waybill.MaxTextLen)
			add := func(orgID int64, number string, i int, isLong bool, customer string) {
				t.Helper()
				tr := newTracking(orgID, "ups", number)
				tr.CreatedAt = now.Add(time.Duration(i) * time.Minute)
				tr.UpdatedAt = tr.CreatedAt
				if isLong {
					// Title, order id, order number and customer name of
					// 512 bytes each before the email: over 2,000 bytes.
					tr.Title, tr.OrderID, tr.OrderNumber, tr.CustomerName = long, long, long, long
				}
				tr.Emails = []string{customer + "@example.com"}
				if err := st.Write().InsertTracking(ctx, tr); err != nil {
					t.Fatal(err)
				}
			}
			add(org.ID, "LONG1", 1, true, "alice")
			add(org.ID, "SHORT1", 2, false, "alice")
			add(org.ID, "LONG2", 3, true, "bob")
			add(org.ID, "SHORT2", 4, false, "carol")
			add(other.ID, "LONG3", 5, true, "alice")
			add(other.ID, "SHORT3", 6, false, "alice")

			for _, tt := range []struct {
				keyword string
				want    []string // newest first
			}{
				{"alice@example.com", []string{"SHORT1", "LONG1"}},
				{"bob@", []string{"LONG2"}},
				{"carol", []string{"SHORT2"}},
				{"xxxxx", []string{"LONG2", "LONG1"}},
				{"example.com", []string{"SHORT2", "LONG2", "SHORT1", "LONG1"}},
				{"nobody", nil},
			} {
				page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Keyword: tt.keyword, Limit: 10})
				if err != nil {
					t.Fatalf("%s: %v", tt.keyword, err)
				}
				var got []string
				for _, tr := range page.Trackings {
					got = append(got, tr.TrackingNumber)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) || page.Total != len(tt.want) {
					t.Errorf("keyword %q: %v (total %d); want %v", tt.keyword, got, page.Total, tt.want)
				}
			}
		})
	}
}
