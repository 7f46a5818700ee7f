package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

type pageAnswer struct {
	p   store.PageTrackings
	err error
}

func readPageAsync(st *store.Store, token string) chan pageAnswer {
	c := make(chan pageAnswer, 1)
	go func() {
		p, err := st.Read().TrackingPage(context.Background(), token, false)
		c <- pageAnswer{p, err}
	}()
	return c
}

// TestPageReadsSeeWhatCommittedBefore holds a batched read of a token's
// page after its statement, commits a change to its tracking, and only
// then starts three more page reads: they are read in a batch of their
// own, the changed page shows the change (and another Version), each
// token gets its own tracking and organization, and an unknown token
// gets no tracking.
func TestPageReadsSeeWhatCommittedBefore(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	a, b := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
	ta, tb := newTracking(a.ID, "ups", "1Z0000000000000001"), newTracking(b.ID, "ups", "1Z0000000000000002")
	for _, tr := range []*waybill.Tracking{ta, tb} {
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	held, release := heldBatchedReads(t, st)
	first := readPageAsync(st, ta.PageToken)
	<-held
	ta.Title = "changed while a read was in flight"
	if err := st.Write().UpdateTracking(ctx, ta); err != nil {
		t.Fatal(err)
	}
	later, other, unknown := readPageAsync(st, ta.PageToken), readPageAsync(st, tb.PageToken), readPageAsync(st, "nosuchtokennosuchtoken00")
	st.WaitBatchedReadsQueued(3)
	close(release)

	r1, r2 := <-first, <-later
	if r1.err != nil || len(r1.p.Trackings) != 1 || r1.p.Trackings[0].Title != "1Z0000000000000001" {
		t.Fatalf("held read: %+v, %v; want the tracking before the change", r1.p.Trackings, r1.err)
	}
	if r2.err != nil || len(r2.p.Trackings) != 1 || r2.p.Trackings[0].Title != ta.Title || r2.p.OrgID != a.ID || r2.p.OrgName != "acme" {
		t.Fatalf("read after the change: %+v, %v; want %q of acme", r2.p, r2.err, ta.Title)
	}
	if r2.p.Version == r1.p.Version {
		t.Error("the changed page has the held read's Version")
	}
	if r := <-other; r.err != nil || len(r.p.Trackings) != 1 || r.p.Trackings[0].ID != tb.ID || r.p.OrgID != b.ID || r.p.OrgName != "other" {
		t.Errorf("other token's page: %+v, %v", r.p, r.err)
	}
	if r := <-unknown; r.err != nil || len(r.p.Trackings) != 0 {
		t.Errorf("unknown token's page: %+v, %v; want no tracking", r.p.Trackings, r.err)
	}
	if s := st.ReadBatchStats(); s != (store.GroupReadStats{Batches: 2, Keys: 4}) {
		t.Errorf("stats %+v; want the held read and one batch of three", s)
	}
	// A page whose Version the caller holds is reported Seen, batched too.
	p, err := st.Read().TrackingPageUnlessSeen(ctx, ta.PageToken, false, func(v store.PageVersion) bool { return v == r2.p.Version })
	if err != nil || !p.Seen {
		t.Errorf("read of a seen Version: Seen %v, %v", p.Seen, err)
	}
}

// TestBatchedPageVersionIsTheRowsVersion checks that the Version a batched
// page read sums from the raw bytes pgx received, alone and in a batch of
// several, is the one the unbatched read sums over the scanned row (an
// order's page read of a tracking without order: the same one row), with
// and without branding, and that a caller in a batch whose seen reports
// it gets only the Version.
func TestBatchedPageVersionIsTheRowsVersion(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	a, b := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
	if err := st.Write().PutBranding(ctx, a.ID, waybill.Branding{DisplayName: "Acme Outdoor", CustomHost: "track.acme.example",
		UpdatedAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ta, tb := newTracking(a.ID, "ups", "1Z0000000000000001"), newTracking(b.ID, "ups", "1Z0000000000000002")
	for _, tr := range []*waybill.Tracking{ta, tb} {
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	unbatched := func(token string) store.PageVersion {
		t.Helper()
		p, err := st.Read().TrackingPage(ctx, token, true)
		if err != nil || len(p.Trackings) != 1 || p.Version == (store.PageVersion{}) {
			t.Fatalf("order page read: %d trackings, %v", len(p.Trackings), err)
		}
		return p.Version
	}
	wantA, wantB := unbatched(ta.PageToken), unbatched(tb.PageToken)
	if wantA == wantB {
		t.Fatal("two pages of different data have one Version")
	}
	if r := <-readPageAsync(st, ta.PageToken); r.err != nil || r.p.Version != wantA || len(r.p.Trackings) != 1 {
		t.Errorf("batch of one: Version equal %v, %d trackings, %v", r.p.Version == wantA, len(r.p.Trackings), r.err)
	}

	held, release := heldBatchedReads(t, st)
	first := readPageAsync(st, ta.PageToken)
	<-held
	ra, rb := readPageAsync(st, ta.PageToken), readPageAsync(st, tb.PageToken)
	seenB := make(chan pageAnswer, 1)
	go func() {
		p, err := st.Read().TrackingPageUnlessSeen(ctx, tb.PageToken, false, func(v store.PageVersion) bool { return v == wantB })
		seenB <- pageAnswer{p, err}
	}()
	st.WaitBatchedReadsQueued(3)
	close(release)
	for name, c := range map[string]struct {
		c    chan pageAnswer
		want store.PageVersion
	}{"held": {first, wantA}, "a": {ra, wantA}, "b": {rb, wantB}} {
		if r := <-c.c; r.err != nil || r.p.Version != c.want || r.p.Seen || len(r.p.Trackings) != 1 {
			t.Errorf("%s: Version equal %v, seen %v, %d trackings, %v", name, r.p.Version == c.want, r.p.Seen, len(r.p.Trackings), r.err)
		}
	}
	if r := <-seenB; r.err != nil || !r.p.Seen || r.p.Version != wantB || len(r.p.Trackings) != 0 {
		t.Errorf("seen in a batch: seen %v, Version equal %v, %d trackings, %v", r.p.Seen, r.p.Version == wantB, len(r.p.Trackings), r.err)
	}
	if s := st.ReadBatchStats(); s.Keys-s.Batches < 2 {
		t.Errorf("stats %+v; want a batch of three after the held one", s)
	}
}
