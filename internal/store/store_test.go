package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestConformance runs the same storage suite on every engine, the way
// River's driver tests exercise each driver.
func TestConformance(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			for name, test := range map[string]func(t *testing.T, st *store.Store){
				"Orgs":               testOrgs,
				"APIKeys":            testAPIKeys,
				"TrackingCRUD":       testTrackingCRUD,
				"TrackingIsolation":  testTrackingIsolation,
				"TrackingList":       testTrackingList,
				"KeywordLongTexts":   testKeywordLongTexts,
				"TxRollback":         testTxRollback,
				"ActivatedCouriers":  testActivatedCouriers,
				"CourierConnections": testConnections,
				"MigrateTwice":       testMigrateTwice,
			} {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					test(t, testdb.Open(t, engine))
				})
			}
		})
	}
}

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func mustOrg(t *testing.T, st *store.Store, name string) waybill.Organization {
	t.Helper()
	org, err := st.Write().CreateOrg(context.Background(), name, now)
	if err != nil {
		t.Fatalf("CreateOrg(%q): %v", name, err)
	}
	return org
}

func testOrgs(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	if _, err := st.Write().CreateOrg(ctx, "acme", now); waybill.ErrorCode(err) != waybill.ECONFLICT {
		t.Fatalf("duplicate CreateOrg error = %v, want ECONFLICT", err)
	}
	if _, err := st.Write().CreateOrg(ctx, "  ", now); waybill.ErrorCode(err) != waybill.EINVALID {
		t.Fatalf("blank CreateOrg error = %v, want EINVALID", err)
	}
	got, err := st.Read().OrgByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(org, got); diff != "" {
		t.Errorf("OrgByName mismatch (-want +got):\n%s", diff)
	}
	if _, err := st.Read().OrgByName(ctx, "nope"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("OrgByName(nope) = %v, want ENOTFOUND", err)
	}
}

func testAPIKeys(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := mustOrg(t, st, "a"), mustOrg(t, st, "b")
	key := store.NewAPIKey()
	if _, err := st.Write().AddAPIKey(ctx, a.ID, key, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write().AddAPIKey(ctx, a.ID, key, now); err != nil {
		t.Fatalf("adding the same key again: %v", err)
	}
	if _, err := st.Write().AddAPIKey(ctx, b.ID, key, now); waybill.ErrorCode(err) != waybill.ECONFLICT {
		t.Fatalf("adding a's key to b = %v, want ECONFLICT", err)
	}
	got, err := st.Read().Authenticate(ctx, key)
	if err != nil || got.ID != a.ID {
		t.Fatalf("Authenticate = %v, %v; want org a", got, err)
	}
	// Same prefix, other secret: refused.
	forged := key[:len(key)-1] + "X"
	if key[len(key)-1] == 'X' {
		forged = key[:len(key)-1] + "Y"
	}
	for _, k := range []string{forged, "", "short", store.NewAPIKey()} {
		if _, err := st.Read().Authenticate(ctx, k); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
			t.Errorf("Authenticate(%q) = %v, want EUNAUTHORIZED", k, err)
		}
	}

	// Listing shows prefixes only; revoking is scoped to the organization
	// and takes effect on the next authentication.
	second := store.NewAPIKey()
	if _, err := st.Write().AddAPIKey(ctx, a.ID, second, now); err != nil {
		t.Fatal(err)
	}
	keys, err := st.Read().APIKeys(ctx, a.ID)
	if err != nil || len(keys) != 2 || keys[0].Prefix != store.KeyPrefix(key) || keys[1].Prefix != store.KeyPrefix(second) {
		t.Fatalf("APIKeys(a) = %+v, %v", keys, err)
	}
	if keys, err := st.Read().APIKeys(ctx, b.ID); err != nil || len(keys) != 0 {
		t.Fatalf("APIKeys(b) = %+v, %v", keys, err)
	}
	if _, err := st.Write().RevokeAPIKey(ctx, b.ID, store.KeyPrefix(key)); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Fatalf("b revoking a's key = %v, want ENOTFOUND", err)
	}
	genBefore, err := st.Read().APIKeyGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := st.Write().RevokeAPIKey(ctx, a.ID, store.KeyPrefix(key))
	if err != nil || revoked.ID != keys[0].ID {
		t.Fatalf("RevokeAPIKey = %+v, %v", revoked, err)
	}
	// The revocation moved the generation on (caches of keys read it).
	if gen, err := st.Read().APIKeyGeneration(ctx); err != nil || gen == genBefore {
		t.Errorf("APIKeyGeneration after a revocation = %d, %v; want other than %d", gen, err, genBefore)
	}
	// So does a key deleted by hand, outside the store's methods.
	genBefore, _ = st.Read().APIKeyGeneration(ctx)
	third := store.NewAPIKey()
	if _, err := st.Write().AddAPIKey(ctx, b.ID, third, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Writer().ExecContext(ctx, `DELETE FROM api_keys WHERE org_id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if gen, err := st.Read().APIKeyGeneration(ctx); err != nil || gen == genBefore {
		t.Errorf("APIKeyGeneration after a DELETE = %d, %v; want other than %d", gen, err, genBefore)
	}
	if _, err := st.Read().Authenticate(ctx, key); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
		t.Errorf("revoked key authenticates: %v", err)
	}
	if got, err := st.Read().Authenticate(ctx, second); err != nil || got.ID != a.ID {
		t.Errorf("the other key stopped working: %v", err)
	}
	if _, err := st.Write().RevokeAPIKey(ctx, a.ID, store.KeyPrefix(key)); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("revoking twice = %v, want ENOTFOUND", err)
	}
	orgs, err := st.Read().ListOrgs(ctx)
	if err != nil || len(orgs) != 2 || orgs[0].Name != "a" || orgs[0].Keys != 1 || orgs[1].Name != "b" || orgs[1].Keys != 0 {
		t.Errorf("ListOrgs = %+v, %v", orgs, err)
	}
}

func newTracking(orgID int64, slug, number string) *waybill.Tracking {
	return &waybill.Tracking{OrgID: orgID, Slug: slug, TrackingNumber: number, Tag: waybill.TagPending,
		Subtag: "Pending_001", Active: true, CreatedAt: now, UpdatedAt: now, Title: number,
		Checkpoints: []waybill.Checkpoint{}}
}

func testTrackingCRUD(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	tr := newTracking(org.ID, "ups", "1Z999AA10123456784")
	tr.Emails = []string{"a@example.com"}
	if err := st.Write().InsertTracking(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.ID) != 32 {
		t.Fatalf("public id %q, want 32 hex characters", tr.ID)
	}
	dup := newTracking(org.ID, "ups", "1Z999AA10123456784")
	if err := st.Write().InsertTracking(ctx, dup); waybill.ErrorReason(err) != waybill.ReasonTrackingExists {
		t.Fatalf("duplicate insert = %v, want ReasonTrackingExists", err)
	}
	got, err := st.Read().Tracking(ctx, org.ID, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*tr, got); diff != "" {
		t.Errorf("Tracking mismatch (-want +got):\n%s", diff)
	}
	byNum, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "1Z999AA10123456784")
	if err != nil || byNum.ID != tr.ID {
		t.Fatalf("TrackingByNumber = %v, %v", byNum.ID, err)
	}
	got.Title, got.Tag = "changed", waybill.TagInTransit
	got.UpdatedAt = now.Add(time.Hour)
	if err := st.Write().UpdateTracking(ctx, &got); err != nil {
		t.Fatal(err)
	}
	again, _ := st.Read().Tracking(ctx, org.ID, tr.ID)
	if again.Title != "changed" || again.Tag != waybill.TagInTransit || !again.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("after update: %+v", again)
	}
	if err := st.Write().DeleteTracking(ctx, org.ID, tr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read().Tracking(ctx, org.ID, tr.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("after delete: %v, want ENOTFOUND", err)
	}
	if err := st.Write().DeleteTracking(ctx, org.ID, tr.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
}

func testTrackingIsolation(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := mustOrg(t, st, "a"), mustOrg(t, st, "b")
	tr := newTracking(a.ID, "dhl", "1234567890")
	if err := st.Write().InsertTracking(ctx, tr); err != nil {
		t.Fatal(err)
	}
	// The same number in another organization is a separate tracking.
	if err := st.Write().InsertTracking(ctx, newTracking(b.ID, "dhl", "1234567890")); err != nil {
		t.Fatalf("same number in org b: %v", err)
	}
	if _, err := st.Read().Tracking(ctx, b.ID, tr.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b reads org a's tracking: %v", err)
	}
	other := *tr
	other.OrgID = b.ID
	other.Title = "hijacked"
	if err := st.Write().UpdateTracking(ctx, &other); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b updates org a's tracking: %v", err)
	}
	if err := st.Write().DeleteTracking(ctx, b.ID, tr.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b deletes org a's tracking: %v", err)
	}
	page, err := st.Read().ListTrackings(ctx, b.ID, waybill.TrackingFilter{Limit: 100})
	if err != nil || page.Total != 1 || page.Trackings[0].OrgID != b.ID {
		t.Errorf("org b lists %+v, %v", page, err)
	}
}

func testTrackingList(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	for i := range 25 {
		tr := newTracking(org.ID, []string{"ups", "fedex"}[i%2], fmt.Sprintf("NUM%03d", i))
		tr.CreatedAt = now.Add(time.Duration(i) * time.Minute)
		tr.UpdatedAt = tr.CreatedAt
		if i%5 == 0 {
			tr.Tag = waybill.TagDelivered
		}
		if i == 7 {
			tr.Title = "Red_Shoes 100%"
			tr.DestinationCountryISO3 = "GBR"
		}
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name  string
		f     waybill.TrackingFilter
		total int
	}{
		{"all", waybill.TrackingFilter{}, 25},
		{"slug", waybill.TrackingFilter{Slugs: []string{"ups"}}, 13},
		{"tag", waybill.TrackingFilter{Tags: []string{"Delivered"}}, 5},
		{"numbers", waybill.TrackingFilter{TrackingNumbers: []string{"NUM001", "NUM002", "NOPE"}}, 2},
		{"keyword", waybill.TrackingFilter{Keyword: "red_shoes 100%"}, 1},
		{"keyword wildcard is literal", waybill.TrackingFilter{Keyword: "%"}, 1},
		{"keyword underscore is literal", waybill.TrackingFilter{Keyword: "d_s"}, 1},
		{"destination", waybill.TrackingFilter{Destinations: []string{"GBR"}}, 1},
		{"created window", waybill.TrackingFilter{CreatedMin: now.Add(10 * time.Minute), CreatedMax: now.Add(14 * time.Minute)}, 5},
	} {
		tt.f.Limit = 100
		page, err := st.Read().ListTrackings(ctx, org.ID, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if page.Total != tt.total || len(page.Trackings) != tt.total {
			t.Errorf("%s: total %d, %d rows; want %d", tt.name, page.Total, len(page.Trackings), tt.total)
		}
	}
	// Cursor pagination visits every tracking once, newest first.
	seen := map[string]bool{}
	var before int64
	prev := ""
	for pages := 0; ; pages++ {
		page, err := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Limit: 10, BeforeSeq: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range page.Trackings {
			if seen[tr.ID] {
				t.Fatalf("tracking %s seen twice", tr.ID)
			}
			seen[tr.ID] = true
			if prev != "" && tr.TrackingNumber > prev {
				t.Fatalf("not newest first: %s after %s", tr.TrackingNumber, prev)
			}
			prev = tr.TrackingNumber
		}
		if page.NextSeq == 0 {
			break
		}
		before = page.NextSeq
		if pages > 5 {
			t.Fatal("cursor pagination does not end")
		}
	}
	if len(seen) != 25 {
		t.Errorf("cursor pagination saw %d trackings, want 25", len(seen))
	}
	// Offset pagination: the third page of 10 has the last 5.
	page, _ := st.Read().ListTrackings(ctx, org.ID, waybill.TrackingFilter{Limit: 10, Offset: 20})
	if len(page.Trackings) != 5 || page.Trackings[4].TrackingNumber != "NUM000" {
		t.Errorf("page 3: %d trackings", len(page.Trackings))
	}
	testTrackingListTotals(t, st, org.ID, before)
}

// testTrackingListTotals checks the count every page carries (PostgreSQL
// reads it in the page's statement): on pages with rows, after a cursor,
// on pages with none, and in a transaction (where SQLite has no read-ahead hints). lastSeq is the cursor of the
// last page of the organization's 25 trackings in pages of 10.
func testTrackingListTotals(t *testing.T, st *store.Store, orgID, lastSeq int64) {
	ctx := context.Background()
	for _, tt := range []struct {
		name        string
		f           waybill.TrackingFilter
		rows, total int
	}{
		{"first page", waybill.TrackingFilter{Limit: 10}, 10, 25},
		{"after a cursor", waybill.TrackingFilter{Limit: 10, BeforeSeq: lastSeq}, 5, 25},
		{"a cursor before every tracking", waybill.TrackingFilter{Limit: 10, BeforeSeq: 1}, 0, 25},
		{"past the last page", waybill.TrackingFilter{Limit: 10, Offset: 30}, 0, 25},
		{"filtered, the last page", waybill.TrackingFilter{Limit: 10, Offset: 10, Slugs: []string{"ups"}}, 3, 13},
		{"filtered, past the last row", waybill.TrackingFilter{Limit: 10, Offset: 20, Slugs: []string{"ups"}}, 0, 13},
		{"no match", waybill.TrackingFilter{Limit: 10, Slugs: []string{"dhl"}}, 0, 0},
		{"no match, past the first page", waybill.TrackingFilter{Limit: 10, Offset: 10, Slugs: []string{"dhl"}}, 0, 0},
		{"keyword, second page", waybill.TrackingFilter{Limit: 10, Offset: 10, Keyword: "num"}, 10, 25},
	} {
		check := func(how string, page waybill.TrackingPage, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s, %s: %v", tt.name, how, err)
			}
			if len(page.Trackings) != tt.rows || page.Total != tt.total {
				t.Errorf("%s, %s: %d rows counting %d; want %d counting %d", tt.name, how, len(page.Trackings), page.Total, tt.rows, tt.total)
			}
		}
		page, err := st.Read().ListTrackings(ctx, orgID, tt.f)
		check("read", page, err)
		err = st.WithTx(ctx, func(tx *store.Tx) error {
			page, err = tx.ListTrackings(ctx, orgID, tt.f)
			return err
		})
		check("in a transaction", page, err)
	}
}

func testTxRollback(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	boom := errors.New("boom")
	err := st.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "ROLLEDBACK")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v, want boom", err)
	}
	if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "ROLLEDBACK"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("rolled-back tracking is visible: %v", err)
	}
}

func testActivatedCouriers(t *testing.T, st *store.Store) {
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	if err := st.Write().ActivateCouriers(ctx, org.ID, []string{"ups", "dhl", "ups"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Read().ActivatedCouriers(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dhl", "ups"}, got); diff != "" {
		t.Errorf("ActivatedCouriers mismatch (-want +got):\n%s", diff)
	}
}

func testConnections(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := mustOrg(t, st, "a"), mustOrg(t, st, "b")
	var ids []string
	for i := range 3 {
		c := waybill.CourierConnection{OrgID: a.ID, Slug: "ups", CredentialKeys: []string{"client_id"}, Sealed: fmt.Sprint("wbx1.sealed", i), CreatedAt: now, UpdatedAt: now}
		if err := st.Write().InsertConnection(ctx, &c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	conns, total, next, err := st.Read().ListConnections(ctx, a.ID, "", 2, 0)
	if err != nil || total != 3 || len(conns) != 2 || next == 0 {
		t.Fatalf("first page: %d of %d, next %d, %v", len(conns), total, next, err)
	}
	rest, _, next2, _ := st.Read().ListConnections(ctx, a.ID, "", 2, next)
	if len(rest) != 1 || next2 != 0 || rest[0].ID != ids[0] {
		t.Fatalf("second page: %+v next %d", rest, next2)
	}
	if _, err := st.Read().Connection(ctx, b.ID, ids[0]); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b reads org a's connection: %v", err)
	}
	c, _ := st.Read().Connection(ctx, a.ID, ids[0])
	if c.Sealed != "wbx1.sealed0" || len(c.CredentialKeys) != 1 || c.Credentials != nil {
		t.Errorf("read back %+v", c)
	}
	c.Sealed, c.CredentialKeys = "wbx1.new", []string{"api_key", "client_id"}
	if err := st.Write().UpdateConnection(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if first, err := st.Read().FirstConnection(ctx, a.ID, "ups"); err != nil || first.ID != ids[0] || first.Sealed != "wbx1.new" ||
		len(first.CredentialKeys) != 2 {
		t.Errorf("FirstConnection = %+v, %v; want the updated %s", first, err, ids[0])
	}
	if _, err := st.Read().FirstConnection(ctx, b.ID, "ups"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b's FirstConnection: %v", err)
	}
	seen := 0
	if err := st.Read().EveryConnection(ctx, func(waybill.CourierConnection) error { seen++; return nil }); err != nil || seen != 3 {
		t.Errorf("EveryConnection saw %d, %v; want 3", seen, err)
	}
	if err := st.Write().DeleteConnection(ctx, b.ID, ids[0]); waybill.ErrorCode(err) != waybill.ENOTFOUND {
		t.Errorf("org b deletes org a's connection: %v", err)
	}
	if err := st.Write().DeleteConnection(ctx, a.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
}

// testMigrateTwice runs the migrations again, several at once, on an
// already migrated database: nothing fails and nothing changes.
func testMigrateTwice(t *testing.T, st *store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine()))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	if ok, err := st.Migrated(ctx); !ok || err != nil {
		t.Errorf("Migrated = %v, %v", ok, err)
	}
}
