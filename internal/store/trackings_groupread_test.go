package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// heldBatchedReads makes st's batched reads hold after their
// first batch's statement until release is closed; held is closed then.
func heldBatchedReads(t *testing.T, st *store.Store) (held, release chan struct{}) {
	t.Helper()
	held, release = make(chan struct{}), make(chan struct{})
	first := true
	if !st.HoldBatchedReads(func(int) {
		if first {
			first = false
			close(held)
			<-release
		}
	}) {
		t.Fatal("PostgreSQL store without batched reads")
	}
	return held, release
}

type trackingAnswer struct {
	t   waybill.Tracking
	gen int64
	err error
}

func readTrackingAsync(st *store.Store, orgID int64, id string) chan trackingAnswer {
	c := make(chan trackingAnswer, 1)
	go func() {
		t, gen, err := st.Read().TrackingAtKeyGeneration(context.Background(), orgID, id)
		c <- trackingAnswer{t, gen, err}
	}()
	return c
}

// TestTrackingReadsSeeWhatCommittedBefore holds a batched read of a
// tracking after its statement, then commits a change to the tracking
// and a key revocation, and only then starts four more reads: they must
// be read in a batch of their own (never given the held read's answer),
// see the change and the revocation's generation, and each be answered
// from its own organization only (another organization's id and a
// missing one are ENOTFOUND).
func TestTrackingReadsSeeWhatCommittedBefore(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	a, b := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
	key := store.NewAPIKey()
	if _, err := st.Write().AddAPIKey(ctx, a.ID, key, now); err != nil {
		t.Fatal(err)
	}
	ta, tb := newTracking(a.ID, "ups", "1Z0000000000000001"), newTracking(b.ID, "ups", "1Z0000000000000002")
	for _, tr := range []*waybill.Tracking{ta, tb} {
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	held, release := heldBatchedReads(t, st)
	first := readTrackingAsync(st, a.ID, ta.ID)
	<-held // read, not yet answered
	ta.Title = "changed while a read was in flight"
	if err := st.Write().UpdateTracking(ctx, ta); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write().RevokeAPIKey(ctx, a.ID, store.KeyPrefix(key)); err != nil {
		t.Fatal(err)
	}
	later := readTrackingAsync(st, a.ID, ta.ID)
	own := readTrackingAsync(st, b.ID, tb.ID)
	wrongOrg := readTrackingAsync(st, b.ID, ta.ID)
	missing := readTrackingAsync(st, a.ID, "nosuchtracking")
	st.WaitBatchedReadsQueued(4)
	close(release)

	r1, r2 := <-first, <-later
	if r1.err != nil || r1.t.Title != "1Z0000000000000001" {
		t.Fatalf("held read: %q, %v; want the title before the change", r1.t.Title, r1.err)
	}
	if r2.err != nil || r2.t.Title != ta.Title || r2.t.ID != ta.ID || r2.t.OrgID != a.ID {
		t.Errorf("read after the change: %q (%s of %d), %v; want %q", r2.t.Title, r2.t.ID, r2.t.OrgID, r2.err, ta.Title)
	}
	if r2.gen <= r1.gen {
		t.Errorf("read after the revocation at generation %d, the held read's %d: the revocation is not seen", r2.gen, r1.gen)
	}
	if r := <-own; r.err != nil || r.t.ID != tb.ID || r.t.OrgID != b.ID || r.gen != r2.gen {
		t.Errorf("other organization's own tracking: %s of %d at generation %d, %v", r.t.ID, r.t.OrgID, r.gen, r.err)
	}
	for name, c := range map[string]chan trackingAnswer{"another organization's": wrongOrg, "a missing": missing} {
		if r := <-c; waybill.ErrorCode(r.err) != waybill.ENOTFOUND {
			t.Errorf("%s tracking: %s, %v; want ENOTFOUND", name, r.t.ID, r.err)
		}
	}
	if s := st.ReadBatchStats(); s != (store.GroupReadStats{Batches: 2, Keys: 5}) {
		t.Errorf("stats %+v; want the held read and one batch of four", s)
	}
}

// TestTrackingReadsBatchError checks that a batch whose statement fails
// (an id PostgreSQL refuses: a NUL byte) gives every caller in it an
// error, not ENOTFOUND nor another's answer, and that reads work after.
func TestTrackingReadsBatchError(t *testing.T) {
	st, org, tr := postgresWithOneTracking(t)
	ctx := context.Background()
	held, release := heldBatchedReads(t, st)
	first := readTrackingAsync(st, org.ID, tr.ID)
	<-held
	bad, good := readTrackingAsync(st, org.ID, "bad\x00id"), readTrackingAsync(st, org.ID, tr.ID)
	st.WaitBatchedReadsQueued(2)
	close(release)
	if r := <-first; r.err != nil {
		t.Fatal(r.err)
	}
	for name, c := range map[string]chan trackingAnswer{"refused id": bad, "good id in the same batch": good} {
		if r := <-c; r.err == nil || waybill.ErrorCode(r.err) == waybill.ENOTFOUND {
			t.Errorf("%s: %s, %v; want the batch's error", name, r.t.ID, r.err)
		}
	}
	if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, "bad\x00id"); err == nil || waybill.ErrorCode(err) == waybill.ENOTFOUND {
		t.Errorf("a lone read of a refused id: %v; want an error", err)
	}
	if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, tr.ID); err != nil {
		t.Errorf("a read after the failed ones: %v", err)
	}
}

// TestTrackingReadsConcurrent reads the trackings of two organizations
// from many goroutines at once, each under its own organization and
// under the other's: each read gets its own tracking, or ENOTFOUND. On
// PostgreSQL the reads share batches.
func TestTrackingReadsConcurrent(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			orgs := []waybill.Organization{mustOrg(t, st, "acme"), mustOrg(t, st, "other")}
			var trs []*waybill.Tracking
			for i := range 20 {
				tr := newTracking(orgs[i%2].ID, "ups", fmt.Sprintf("1Z%016d", i))
				if err := st.Write().InsertTracking(ctx, tr); err != nil {
					t.Fatal(err)
				}
				trs = append(trs, tr)
			}
			var wg sync.WaitGroup
			for w := range 24 {
				wg.Go(func() {
					for i := range 40 {
						tr := trs[(w+i)%len(trs)]
						org := orgs[(w+i/2)%2].ID
						got, _, err := st.Read().TrackingAtKeyGeneration(ctx, org, tr.ID)
						switch {
						case org != tr.OrgID && waybill.ErrorCode(err) != waybill.ENOTFOUND:
							t.Errorf("tracking %s of %d read under %d: %s, %v; want ENOTFOUND", tr.ID, tr.OrgID, org, got.ID, err)
						case org == tr.OrgID && (err != nil || got.ID != tr.ID || got.TrackingNumber != tr.TrackingNumber):
							t.Errorf("tracking %s: got %s (%s), %v", tr.ID, got.ID, got.TrackingNumber, err)
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// postgresWithOneTracking opens a PostgreSQL store with one organization
// and one tracking of it.
func postgresWithOneTracking(t *testing.T) (*store.Store, waybill.Organization, *waybill.Tracking) {
	t.Helper()
	st := testdb.Open(t, store.Postgres)
	org := mustOrg(t, st, "acme")
	tr := newTracking(org.ID, "ups", "1Z0000000000000001")
	if err := st.Write().InsertTracking(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
	return st, org, tr
}

// TestBatchedReadsGetAGenericPlan runs each batched read's statement on
// one connection, as its loops do, with batches of 2 and 3 keys, and
// checks that PostgreSQL then keeps a generic plan for it: a statement
// whose custom plans always look cheaper (unnest of the parameter itself,
// whose length the planner counts) is planned afresh on every batch.
func TestBatchedReadsGetAGenericPlan(t *testing.T) {
	st, org, tr := postgresWithOneTracking(t)
	ctx := context.Background()
	conn, err := st.Writer().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, stmt := range store.BatchedReadStatements {
		for n := range 8 {
			keys := 2 + n%2
			orgs, ids := make([]int64, keys), make([]string, keys)
			for k := range keys {
				orgs[k], ids[k] = org.ID, fmt.Sprintf("%s-%d", tr.ID, k)
			}
			args := []any{orgs, ids}
			if i == 1 {
				args = []any{ids} // tokens
			}
			rows, err := conn.QueryContext(ctx, stmt, args...)
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		var generic, custom int64
		if err := conn.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, stmt).Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		if generic == 0 {
			t.Errorf("statement %d: %d custom plans and no generic one after 8 batches: every batch is planned", i, custom)
		}
	}
}

// TestBatchedReadsOfOneKeyTwice puts the same tracking id, and the same
// page token, twice in one batch, once under a caller whose seen reports
// the row's version and once under one without seen, beside another
// organization's read of that id: each caller gets its own answer (the
// version alone, the whole tracking or page, ENOTFOUND).
func TestBatchedReadsOfOneKeyTwice(t *testing.T) {
	st, org, tr := postgresWithOneTracking(t)
	ctx := context.Background()
	other := mustOrg(t, st, "other")
	first, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(store.TrackingVersion) bool { return false })
	if err != nil || first.Seen || first.Version == (store.TrackingVersion{}) {
		t.Fatalf("first read: seen %v, %v", first.Seen, err)
	}
	page, err := st.Read().TrackingPage(ctx, tr.PageToken, false)
	if err != nil || page.Version == (store.PageVersion{}) {
		t.Fatalf("first page read: %v", err)
	}

	// Hold both loops after a first read of their own, so that the five
	// reads below queue: three in one batch of trackings, two in one of
	// pages.
	held, release := make(chan struct{}, 2), make(chan struct{})
	st.HoldBatchedReads(func(int) {
		select {
		case <-release:
		default:
			held <- struct{}{}
			<-release
		}
	})
	hold, holdPage := readTrackingAsync(st, org.ID, tr.ID), readPageAsync(st, tr.PageToken)
	<-held
	<-held
	seen := make(chan store.TrackingRead, 1)
	go func() {
		r, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(v store.TrackingVersion) bool { return v == first.Version })
		if err != nil {
			t.Error(err)
		}
		seen <- r
	}()
	whole, wrongOrg := readTrackingAsync(st, org.ID, tr.ID), readTrackingAsync(st, other.ID, tr.ID)
	pageSeen := make(chan store.PageTrackings, 1)
	go func() {
		p, err := st.Read().TrackingPageUnlessSeen(ctx, tr.PageToken, false, func(v store.PageVersion) bool { return v == page.Version })
		if err != nil {
			t.Error(err)
		}
		pageSeen <- p
	}()
	pageWhole := readPageAsync(st, tr.PageToken)
	st.WaitBatchedReadsQueued(5)
	close(release)

	if r := <-hold; r.err != nil || r.t.ID != tr.ID {
		t.Fatalf("held read: %s, %v", r.t.ID, r.err)
	}
	if r := <-holdPage; r.err != nil || len(r.p.Trackings) != 1 {
		t.Fatalf("held page read: %d trackings, %v", len(r.p.Trackings), r.err)
	}
	if r := <-seen; !r.Seen || r.Version != first.Version || r.Tracking.ID != "" {
		t.Errorf("seen in a batch: seen %v, Version equal %v, tracking %q", r.Seen, r.Version == first.Version, r.Tracking.ID)
	}
	if r := <-whole; r.err != nil || r.t.ID != tr.ID || r.t.TrackingNumber != tr.TrackingNumber || r.t.OrgID != org.ID {
		t.Errorf("the same id without seen: %s (%s of %d), %v", r.t.ID, r.t.TrackingNumber, r.t.OrgID, r.err)
	}
	if r := <-wrongOrg; waybill.ErrorCode(r.err) != waybill.ENOTFOUND {
		t.Errorf("the same id under another organization: %s, %v; want ENOTFOUND", r.t.ID, r.err)
	}
	if p := <-pageSeen; !p.Seen || p.Version != page.Version || len(p.Trackings) != 0 {
		t.Errorf("page seen in a batch: seen %v, Version equal %v, %d trackings", p.Seen, p.Version == page.Version, len(p.Trackings))
	}
	if r := <-pageWhole; r.err != nil || r.p.Seen || r.p.Version != page.Version || len(r.p.Trackings) != 1 || r.p.Trackings[0].ID != tr.ID {
		t.Errorf("the same token without seen: seen %v, Version equal %v, %d trackings, %v", r.p.Seen, r.p.Version == page.Version, len(r.p.Trackings), r.err)
	}
}
