package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTrackingVersionFollowsTheRow checks the fingerprint of a get by id:
// the same for two reads of an unchanged tracking, another after a
// change; a caller who has seen the version gets the version and the key
// generation without the tracking; a tracking of another organization,
// or none, is ENOTFOUND without seen being asked.
func TestTrackingVersionFollowsTheRow(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			org, other := mustOrg(t, st, "acme"), mustOrg(t, st, "other")
			tr := newTracking(org.ID, "ups", "1Z0000000000000001")
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			gen, err := st.Read().APIKeyGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			read := func() store.TrackingRead {
				t.Helper()
				r, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(store.TrackingVersion) bool { return false })
				if err != nil {
					t.Fatal(err)
				}
				if r.Version == (store.TrackingVersion{}) || r.Seen || r.Tracking.ID != tr.ID || r.Gen != gen {
					t.Fatalf("version %v, seen %v, tracking %q, generation %d (want %d)", r.Version, r.Seen, r.Tracking.ID, r.Gen, gen)
				}
				return r
			}
			first, again := read(), read()
			if first.Version != again.Version {
				t.Fatal("two reads of an unchanged tracking differ in version")
			}
			var asked store.TrackingVersion
			seen, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(v store.TrackingVersion) bool { asked = v; return true })
			if err != nil {
				t.Fatal(err)
			}
			if !seen.Seen || asked != first.Version || seen.Version != first.Version || seen.Gen != gen || seen.Tracking.ID != "" {
				t.Errorf("seen read: seen %v, asked about the read's version %v, generation %d, tracking %q", seen.Seen, asked == first.Version, seen.Gen, seen.Tracking.ID)
			}
			for _, k := range []struct {
				org int64
				id  string
			}{{other.ID, tr.ID}, {org.ID, "nosuchtracking0000000000"}} {
				_, err := st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, k.org, k.id, func(store.TrackingVersion) bool {
					t.Error("seen asked about a read that found nothing")
					return true
				})
				if waybill.ErrorCode(err) != waybill.ENOTFOUND {
					t.Errorf("organization %d, tracking %s: %v, want ENOTFOUND", k.org, k.id, err)
				}
			}

			tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "ups", Message: "Arrived", Tag: waybill.TagInTransit})
			if err := st.Write().UpdateTracking(ctx, tr); err != nil {
				t.Fatal(err)
			}
			if scanned := read(); scanned.Version == first.Version || len(scanned.Tracking.Checkpoints) != 1 {
				t.Errorf("after a new checkpoint: version unchanged %v, %d checkpoints", scanned.Version == first.Version, len(scanned.Tracking.Checkpoints))
			}
		})
	}
}

// TestTrackingVersionInABatch checks the fingerprint of PostgreSQL's
// batched reads, summed where pgx read the row: a batch gives each
// tracking (one with a page token, one whose token is NULL) the version a
// read without batches gives (the row's columns copied into strings,
// TrackingVersion's own sum), so a memo entry made from either is found
// by the other; in one batch a caller whose seen reports the version gets
// no tracking, and one whose seen does not gets the whole tracking.
func TestTrackingVersionInABatch(t *testing.T) {
	url := testdb.URL(t, store.Postgres)
	st, alone := testdb.OpenURL(t, url), testdb.OpenURL(t, url)
	alone.SetBatchedReadLoops(0)
	ctx := context.Background()
	org := mustOrg(t, st, "acme")
	var trs []*waybill.Tracking
	for _, number := range []string{"1Z0000000000000001", "1Z0000000000000002"} {
		tr := newTracking(org.ID, "ups", number)
		if err := st.Write().InsertTracking(ctx, tr); err != nil {
			t.Fatal(err)
		}
		trs = append(trs, tr)
	}
	if _, err := st.Writer().ExecContext(ctx, `UPDATE trackings SET page_token = NULL WHERE public_id = $1`, trs[1].ID); err != nil {
		t.Fatal(err)
	}
	want := make([]store.TrackingVersion, len(trs))
	for i, tr := range trs {
		r, err := alone.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(store.TrackingVersion) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		want[i] = r.Version
	}
	if want[0] == want[1] {
		t.Fatal("two trackings have one version")
	}

	held, release := heldBatchedReads(t, st)
	first := readTrackingAsync(st, org.ID, trs[0].ID)
	<-held
	type answer struct {
		r     store.TrackingRead
		asked store.TrackingVersion
		err   error
	}
	read := func(tr *waybill.Tracking, report bool) chan answer {
		c := make(chan answer, 1)
		go func() {
			var a answer
			a.r, a.err = st.Read().TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(v store.TrackingVersion) bool {
				a.asked = v
				return report
			})
			c <- a
		}()
		return c
	}
	calls := []struct {
		tr     int
		report bool
	}{{0, true}, {0, false}, {1, true}, {1, false}}
	var answers []chan answer
	for _, c := range calls {
		answers = append(answers, read(trs[c.tr], c.report))
	}
	st.WaitBatchedReadsQueued(len(calls))
	close(release)
	if r := <-first; r.err != nil {
		t.Fatal(r.err)
	}
	for i, c := range calls {
		a := <-answers[i]
		tr := trs[c.tr]
		switch {
		case a.err != nil:
			t.Errorf("call %d: %v", i, a.err)
		case a.asked != want[c.tr] || a.r.Version != want[c.tr]:
			t.Errorf("call %d (tracking %d): asked about %v, read %v; want the version read without batches, %v", i, c.tr, a.asked, a.r.Version, want[c.tr])
		case a.r.Seen != c.report:
			t.Errorf("call %d: seen %v, want %v", i, a.r.Seen, c.report)
		case c.report && a.r.Tracking.ID != "":
			t.Errorf("call %d: a seen read returned tracking %q", i, a.r.Tracking.ID)
		case !c.report && (a.r.Tracking.ID != tr.ID || a.r.Tracking.TrackingNumber != tr.TrackingNumber || a.r.Tracking.PageToken != []string{tr.PageToken, ""}[c.tr]):
			t.Errorf("call %d: tracking %q (%q, page token %q); want %q", i, a.r.Tracking.ID, a.r.Tracking.TrackingNumber, a.r.Tracking.PageToken, tr.ID)
		}
	}
	if s := st.ReadBatchStats(); s != (store.GroupReadStats{Batches: 2, Keys: 5}) {
		t.Errorf("stats %+v; want the held read and one batch of four", s)
	}
}
