package store_test

import (
	"context"
	"testing"

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
