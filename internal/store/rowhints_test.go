package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestListHintsAdviseEveryListedRow lists two organizations' interleaved
// trackings (each row on a table page of its own, as at a million
// trackings) with each kind of filter and checks that the reads the list
// advised ahead of its query cover the page of every tracking it returned:
// the page is found independently, by sqlite_offset of the row's record.
// The B-tree is three levels deep, so the walk descends
// through interior pages below the root.
func TestListHintsAdviseEveryListedRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.Open(t, store.SQLite)
	var mu sync.Mutex
	var advised [][2]int64
	if !st.RecordRowHints(func(off, n int64) {
		mu.Lock()
		defer mu.Unlock()
		advised = append(advised, [2]int64{off, n})
	}) {
		t.Skip("no read hints on this platform")
	}
	orgs := []waybill.Organization{mustOrg(t, st, "acme"), mustOrg(t, st, "other")}
	filler := strings.Repeat("x", 3000) // a row fills most of a 4 kB page
	const perOrg = 400
	for i := range perOrg {
		for _, org := range orgs {
			tr := newTracking(org.ID, "ups", "1Z"+strings.Repeat("0", 3)+time.Duration(i).String()+org.Name)
			tr.CreatedAt = now.Add(time.Duration(i-perOrg) * time.Hour)
			tr.UpdatedAt = tr.CreatedAt
			tr.Note = filler
			if i%3 == 0 {
				tr.Tag = waybill.TagInTransit
			}
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The hints read the database file: what the WAL holds goes there.
	// A checkpoint answers busy (and copies nothing) while the store's own
	// checkpointer is at work; then it is tried again.
	for try := 0; ; try++ {
		var busy, logFrames, copied int
		if err := st.Writer().QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &copied); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			break
		}
		if try == 100 {
			t.Fatal("the WAL could not be checkpointed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var pageSize int64
	if err := st.Writer().QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	pageOf := map[string]int64{} // public id -> the file offset of its row's page
	rows, err := st.Writer().QueryContext(ctx, "SELECT public_id, sqlite_offset(doc) FROM trackings")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var off int64
		if err := rows.Scan(&id, &off); err != nil {
			t.Fatal(err)
		}
		pageOf[id] = off / pageSize * pageSize
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// dbstat's path of a page has a "/" per level: "/" is the root.
	var levels int
	if err := st.Writer().QueryRowContext(ctx, "SELECT MAX(length(path) - length(replace(path, '/', ''))) FROM dbstat WHERE name = 'trackings'").Scan(&levels); err != nil {
		t.Fatal(err)
	}
	if levels < 3 {
		t.Fatalf("the trackings B-tree has %d levels; the test wants 3 or more", levels)
	}

	org := orgs[0].ID
	first, err := st.Read().ListTrackings(ctx, org, waybill.TrackingFilter{Limit: 50})
	if err != nil || first.NextSeq == 0 {
		t.Fatalf("first page: %v, next %d", err, first.NextSeq)
	}
	for _, tt := range []struct {
		name   string
		filter waybill.TrackingFilter
	}{
		{"all", waybill.TrackingFilter{Limit: 50}},
		{"page 3", waybill.TrackingFilter{Limit: 50, Offset: 100}},
		{"cursor", waybill.TrackingFilter{Limit: 200, BeforeSeq: first.NextSeq}},
		{"tag", waybill.TrackingFilter{Limit: 50, Tags: []string{string(waybill.TagInTransit)}}},
		{"created range", waybill.TrackingFilter{Limit: 50, CreatedMin: now.Add(-300 * time.Hour), CreatedMax: now.Add(-100 * time.Hour)}},
		{"keyword", waybill.TrackingFilter{Limit: 50, Keyword: "1Z"}},
	} {
		mu.Lock()
		advised = nil
		mu.Unlock()
		page, err := st.Read().ListTrackings(ctx, org, tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(page.Trackings) < 20 {
			t.Fatalf("%s: %d trackings; the test wants a page of 20 or more", tt.name, len(page.Trackings))
		}
		mu.Lock()
		got := advised
		mu.Unlock()
		for _, tr := range page.Trackings {
			off, ok := pageOf[tr.ID]
			if !ok {
				t.Fatalf("%s: no page found for %s", tt.name, tr.ID)
			}
			covered := false
			for _, r := range got {
				if off >= r[0] && off+pageSize <= r[0]+r[1] {
					covered = true
					break
				}
			}
			if !covered {
				t.Errorf("%s: the page of %s (file offset %d) was not advised", tt.name, tr.ID, off)
			}
		}
	}
}
