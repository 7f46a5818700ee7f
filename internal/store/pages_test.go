package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPageQueriesUseIndexes checks that every page read finds its rows
// through the index made for it: a page view is one indexed read, whatever
// the number of trackings stored. On SQLite the plan must name that index
// and must not walk all of an organization's trackings. On PostgreSQL, whose
// planner prefers a scan of tiny tables, sequential scans are turned off to
// check that every table is reached through an index.
func TestPageQueriesUseIndexes(t *testing.T) {
	wantIndexes := map[string][]string{
		"tracking page": {"trackings_page_token"},
		"order page":    {"trackings_page_token", "trackings_org_order "},
		"number lookup": {"trackings_org_number"},
		"order lookup":  {"trackings_org_order ", "trackings_org_order_number"},
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			db := st.Writer()
			for name, query := range store.PageQueriesForTest(engine) {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				explain := "EXPLAIN QUERY PLAN "
				if engine == store.Postgres {
					if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						t.Fatal(err)
					}
					explain = "EXPLAIN "
				}
				args := []any{"abcdefghijklmnopqrstuvwxyz"}
				if strings.Contains(query, "$2") {
					args = []any{int64(1), "#1001"}
				}
				rows, err := tx.QueryContext(ctx, explain+query, args...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var plan []string
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					if s, ok := vals[len(vals)-1].(string); ok {
						plan = append(plan, s)
					} else if b, ok := vals[len(vals)-1].([]byte); ok {
						plan = append(plan, string(b))
					}
				}
				rows.Close()
				_ = tx.Rollback()
				text := strings.Join(plan, "\n")
				text = strings.ReplaceAll(text, "\n", " \n") + " "
				for _, line := range plan {
					// SQLite: "SCAN t" is a full scan; "SCAN ... USING INDEX" or
					// "SEARCH" is not. PostgreSQL: "Seq Scan".
					if (strings.HasPrefix(strings.TrimSpace(line), "SCAN ") && !strings.Contains(line, "INDEX")) ||
						strings.Contains(line, "Seq Scan") {
						t.Errorf("%s reads a table in full:\n%s", name, text)
					}
				}
				if engine == store.Postgres {
					// With empty tables and no statistics PostgreSQL picks
					// among equally cheap indexes at random; with data it
					// weighs them. The check there is that no table is
					// read in full.
					continue
				}
				for _, index := range wantIndexes[name] {
					if !strings.Contains(text, index) {
						t.Errorf("%s does not use %s:\n%s", name, index, text)
					}
				}
				// These would walk all of an organization's trackings.
				for _, index := range []string{"trackings_org_created", "trackings_org_id "} {
					if strings.Contains(text+" ", index) {
						t.Errorf("%s walks the organization's trackings (%s):\n%s", name, index, text)
					}
				}
			}
		})
	}
}

// TestPageVersionFollowsTheRows checks the fingerprint a page read returns:
// the same for two reads of unchanged data, another one after any change to
// what the page shows (the tracking, the organization's branding, another
// tracking joining the order), and that a caller who has seen the version
// gets only the version back.
func TestPageVersionFollowsTheRows(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org, tr := insertOrderTracking(t, st)
			read := func(order bool) store.PageTrackings {
				t.Helper()
				pt, err := st.Read().TrackingPage(ctx, tr.PageToken, order)
				if err != nil {
					t.Fatal(err)
				}
				if pt.Version == (store.PageVersion{}) || pt.Seen {
					t.Fatalf("version %v, seen %v", pt.Version, pt.Seen)
				}
				return pt
			}
			first, again := read(false), read(false)
			if first.Version != again.Version {
				t.Fatal("two reads of unchanged data differ in version")
			}
			order := read(true)

			var got store.PageVersion
			seen, err := st.Read().TrackingPageUnlessSeen(ctx, tr.PageToken, false, func(v store.PageVersion) bool { got = v; return true })
			if err != nil {
				t.Fatal(err)
			}
			if !seen.Seen || got != first.Version || seen.Version != first.Version || len(seen.Trackings) != 0 {
				t.Errorf("seen read: seen %v, asked about the read's version %v, %d trackings", seen.Seen, got == first.Version, len(seen.Trackings))
			}
			unseen, err := st.Read().TrackingPageUnlessSeen(ctx, tr.PageToken, false, func(store.PageVersion) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			if unseen.Seen || len(unseen.Trackings) != 1 || unseen.Version != first.Version {
				t.Errorf("unseen read: seen %v, %d trackings", unseen.Seen, len(unseen.Trackings))
			}
			none, err := st.Read().TrackingPageUnlessSeen(ctx, "nosuchtokennosuchtoken", false, func(store.PageVersion) bool {
				t.Error("seen asked about a read that found nothing")
				return true
			})
			if err != nil || none.Seen || len(none.Trackings) != 0 {
				t.Errorf("unknown token: %v, seen %v, %d trackings", err, none.Seen, len(none.Trackings))
			}

			// A new scan.
			tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Arrived", Tag: waybill.TagInTransit})
			if err := st.Write().UpdateTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			scanned := read(false)
			if scanned.Version == first.Version {
				t.Error("a new checkpoint left the version unchanged")
			}
			// New branding.
			if err := st.Write().PutBranding(ctx, org.ID, waybill.Branding{DisplayName: "Acme Outdoor", UpdatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			branded := read(false)
			if branded.Version == scanned.Version {
				t.Error("new branding left the version unchanged")
			}
			// Another tracking of the order changes the order's page only.
			sibling := newTracking(org.ID, "dhl", "JD0000000000000002")
			sibling.OrderID = "O-1"
			if err := st.Write().InsertTracking(ctx, sibling); err != nil {
				t.Fatal(err)
			}
			if read(false).Version != branded.Version {
				t.Error("another tracking of the order changed the tracking's own page version")
			}
			orderBefore := order.Version
			if o := read(true); o.Version == orderBefore || len(o.Trackings) != 2 {
				t.Errorf("the order's page: version changed %v, %d trackings", o.Version != orderBefore, len(o.Trackings))
			}
		})
	}
}

// TestPageOrgNameIsTheOrganizations checks the organization's name a page
// read returns (kept in process by id, not joined): the right one for each
// organization, and never one read in a transaction that rolled back —
// SQLite gives that organization's id to the next one created.
func TestPageOrgNameIsTheOrganizations(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			page := func(q *store.Queries, token string) store.PageTrackings {
				t.Helper()
				pt, err := q.TrackingPage(ctx, token, false)
				if err != nil {
					t.Fatal(err)
				}
				return pt
			}
			acme := mustOrg(t, st, "acme")
			a := newTracking(acme.ID, "ups", "1Z0000000000000001")
			if err := st.Write().InsertTracking(ctx, a); err != nil {
				t.Fatal(err)
			}
			if got := page(st.Read(), a.PageToken).OrgName; got != "acme" {
				t.Fatalf("page of acme's tracking names %q", got)
			}
			errRollBack := errors.New("roll back")
			err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				org, err := tx.CreateOrg(ctx, "ghost", time.Now())
				if err != nil {
					return err
				}
				g := newTracking(org.ID, "ups", "1Z0000000000000002")
				if err := tx.InsertTracking(ctx, g); err != nil {
					return err
				}
				if got := page(tx.Queries, g.PageToken).OrgName; got != "ghost" {
					t.Errorf("page read in the transaction names %q", got)
				}
				return errRollBack
			})
			if !errors.Is(err, errRollBack) {
				t.Fatal(err)
			}
			next := mustOrg(t, st, "next")
			n := newTracking(next.ID, "ups", "1Z0000000000000003")
			if err := st.Write().InsertTracking(ctx, n); err != nil {
				t.Fatal(err)
			}
			for range 2 { // read, then kept
				if got := page(st.Read(), n.PageToken).OrgName; got != "next" {
					t.Fatalf("page of next's tracking (organization %d) names %q", next.ID, got)
				}
				if got := page(st.Read(), a.PageToken).OrgName; got != "acme" {
					t.Fatalf("page of acme's tracking names %q", got)
				}
			}
		})
	}
}

// TestOrderTrackingsFindOnlyTheOrder checks which trackings an order
// lookup returns now that SQLite's order indexes hold only the trackings
// with an order id or an order number (migration 00031): those whose
// order id or top-level order number is the order, not one whose custom
// field is named order_number, and none for an empty order.
func TestOrderTrackingsFindOnlyTheOrder(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			orderTrackingsFindOnlyTheOrder(t, testdb.Open(t, engine))
		})
	}
}

func orderTrackingsFindOnlyTheOrder(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	byID := newTracking(org.ID, "ups", "1Z0000000000000001")
	byID.OrderID = "A-1"
	byNumber := newTracking(org.ID, "ups", "1Z0000000000000002")
	byNumber.OrderNumber = "#1001"
	byField := newTracking(org.ID, "ups", "1Z0000000000000003")
	byField.CustomFields = map[string]string{"order_number": "#1001"}
	none := newTracking(org.ID, "ups", "1Z0000000000000004")
	for _, tr := range []*waybill.Tracking{byID, byNumber, byField, none} {
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		order string
		want  []string
	}{
		{"A-1", []string{byID.ID}},
		{"#1001", []string{byNumber.ID}},
		{"", nil},
	} {
		pt, err := st.Read().OrderTrackings(ctx, org.ID, tt.order)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tr := range pt.Trackings {
			got = append(got, tr.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("OrderTrackings(%q) mismatch (-want +got):\n%s", tt.order, diff)
		}
	}
}

// TestTokenPageReadOfAGoneVisitor checks a token page read whose caller
// has gone before it starts: it fails with the context's error, on both
// engines and for both pages, although a SQLite read once started runs to
// its end whatever the context (readTokenPageAlone); and a read with a
// live context still answers.
func TestTokenPageReadOfAGoneVisitor(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			_, tr := insertOrderTracking(t, st)
			gone, leave := context.WithCancel(ctx)
			leave()
			for _, order := range []bool{false, true} {
				if _, err := st.Read().TrackingPage(gone, tr.PageToken, order); !errors.Is(err, context.Canceled) {
					t.Errorf("order %v: read for a gone visitor = %v; want context.Canceled", order, err)
				}
				if _, err := st.Read().TrackingPageUnlessSeen(gone, tr.PageToken, order, func(store.PageVersion) bool { return false }); !errors.Is(err, context.Canceled) {
					t.Errorf("order %v: unless-seen read for a gone visitor = %v; want context.Canceled", order, err)
				}
				live, stop := context.WithCancel(ctx)
				pt, err := st.Read().TrackingPage(live, tr.PageToken, order)
				stop()
				if err != nil || len(pt.Trackings) != 1 || pt.Trackings[0].ID != tr.ID {
					t.Errorf("order %v: read with a live context = %d trackings, %v", order, len(pt.Trackings), err)
				}
			}
		})
	}
}

// insertOrderTracking stores a tracking of order O-1 in a new organization.
func insertOrderTracking(t *testing.T, st *store.Store) (waybill.Organization, *waybill.Tracking) {
	t.Helper()
	org := mustOrg(t, st, "acme")
	tr := newTracking(org.ID, "ups", "1Z0000000000000001")
	tr.OrderID = "O-1"
	if err := st.Write().InsertTracking(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
	return org, tr
}
