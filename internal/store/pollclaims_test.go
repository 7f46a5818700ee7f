package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestFirstPollClaims: trackings inserted with a first poll are claimed
// once each by concurrent claimers (on PostgreSQL, separate connections
// as separate instances would be), only once due, the earliest first,
// and not again within the lease unless released; a defer or end under a
// claim that is no longer the tracking's changes nothing.
func TestFirstPollClaims(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org := mustOrg(t, st, "claims")
			const due, later, none = 120, 10, 10
			var ts []*waybill.Tracking
			var firsts []time.Time
			for i := range due + later + none {
				ts = append(ts, newTracking(org.ID, "ups", fmt.Sprintf("1Z%08d", i)))
				switch {
				case i < due:
					firsts = append(firsts, now.Add(-time.Duration(i)*time.Millisecond))
				case i < due+later:
					firsts = append(firsts, now.Add(time.Hour))
				default:
					firsts = append(firsts, time.Time{})
				}
			}
			ok, err := st.Write().InsertTrackingsPollDue(ctx, ts, firsts)
			if err != nil {
				t.Fatal(err)
			}
			for i, inserted := range ok {
				if !inserted {
					t.Fatalf("tracking %d not inserted", i)
				}
			}
			// A lone insert with a first poll, due last of those due.
			lone := newTracking(org.ID, "ups", "1ZLONE")
			if err := st.Write().InsertTrackingPollDue(ctx, lone, now); err != nil {
				t.Fatal(err)
			}

			const claimers = 4
			var (
				mu      sync.Mutex
				claimed = map[string]int{}
				wg      sync.WaitGroup
			)
			for range claimers {
				wg.Go(func() {
					for {
						keys, err := st.Write().ClaimPolls(ctx, now, time.Minute, 7)
						if err != nil {
							t.Error(err)
							return
						}
						if len(keys) == 0 {
							return
						}
						mu.Lock()
						for _, k := range keys {
							if k.OrgID != org.ID {
								t.Errorf("claimed %+v of another organization", k)
							}
							claimed[k.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(claimed) != due+1 {
				t.Errorf("claimed %d trackings, want the %d due", len(claimed), due+1)
			}
			for i, tr := range ts {
				if want := map[bool]int{true: 1}[i < due]; claimed[tr.ID] != want {
					t.Errorf("tracking %d claimed %d times, want %d", i, claimed[tr.ID], want)
				}
			}
			if claimed[lone.ID] != 1 {
				t.Errorf("the lone insert's first poll claimed %d times, want 1", claimed[lone.ID])
			}

			// The earliest first: the oldest due comes in the first claim.
			if err := st.Write().DeferPoll(ctx, store.PollKey{OrgID: org.ID, ID: ts[0].ID}, now.Add(time.Minute), now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := st.Write().DeferPoll(ctx, store.PollKey{OrgID: org.ID, ID: ts[1].ID}, now.Add(time.Minute), now.Add(-2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			keys, err := st.Write().ClaimPolls(ctx, now, time.Minute, 1)
			if err != nil || len(keys) != 1 || keys[0].ID != ts[1].ID {
				t.Fatalf("claim after deferring two to the past: %v %v, want %s", keys, err, ts[1].ID)
			}
			until := now.Add(time.Minute)
			// ts[1] is claimed until now+1m: a defer or end under another
			// claim leaves it so.
			k1 := store.PollKey{OrgID: org.ID, ID: ts[1].ID}
			if err := st.Write().DeferPoll(ctx, k1, until.Add(time.Second), now); err != nil {
				t.Fatal(err)
			}
			if ended, err := st.Write().EndPollClaim(ctx, k1, until.Add(time.Second)); err != nil || ended {
				t.Fatalf("end under another claim: %v %v", ended, err)
			}
			keys, err = st.Write().ClaimPolls(ctx, until.Add(-time.Microsecond), time.Minute, 100)
			if err != nil || len(keys) != 1 || keys[0].ID != ts[0].ID {
				t.Fatalf("claim within the leases: %v %v, want only %s (deferred)", keys, err, ts[0].ID)
			}
			if ended, err := st.Write().EndPollClaim(ctx, k1, until); err != nil || !ended {
				t.Fatalf("end under its claim: %v %v", ended, err)
			}
			if ended, err := st.Write().EndPollClaim(ctx, k1, until); err != nil || ended {
				t.Fatalf("end twice: %v %v", ended, err)
			}
			// Past every lease, all but the ended one are claimable again.
			keys, err = st.Write().ClaimPolls(ctx, now.Add(2*time.Hour), time.Minute, 1000)
			if err != nil || len(keys) != due+later {
				t.Fatalf("claim after the leases: %d keys (%v), want %d", len(keys), err, due+later)
			}
			// A process gone with its claims: a release makes them
			// claimable at once, not a first poll due after the lease.
			far := newTracking(org.ID, "ups", "1ZFAR")
			if err := st.Write().InsertTrackingPollDue(ctx, far, now.Add(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
			released, err := st.Write().ReleasePollClaims(ctx, now.Add(2*time.Hour), time.Minute)
			if err != nil || released != due+later {
				t.Fatalf("released %d (%v), want %d", released, err, due+later)
			}
			keys, err = st.Write().ClaimPolls(ctx, now.Add(2*time.Hour), time.Minute, 1000)
			if err != nil || len(keys) != due+later {
				t.Fatalf("claim after the release: %d keys (%v), want %d", len(keys), err, due+later)
			}
		})
	}
}

// TestMigrationMovesPollDueToSchedule puts a database back where
// migration 00030 found it (its Down section: the poll due times in
// trackings.next_poll_due), with a poll due, a claim under way, none, and
// a tracking of another organization, runs its Up section, and checks
// that each due time moved into poll_schedule as it was, that the claims
// and the tenant scoping work on the moved rows, and that a deleted
// tracking takes its schedule with it.
func TestMigrationMovesPollDueToSchedule(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			a, b := mustOrg(t, st, "moved-a"), mustOrg(t, st, "moved-b")
			due, claimed, none, other := newTracking(a.ID, "ups", "1ZDUE"), newTracking(a.ID, "ups", "1ZCLAIMED"),
				newTracking(a.ID, "ups", "1ZNONE"), newTracking(b.ID, "ups", "1ZOTHER")
			for _, tr := range []*waybill.Tracking{due, claimed, none, other} {
				if err := st.Write().InsertTracking(ctx, tr); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Writer().ExecContext(ctx, migrationDown(t, engine, "00030_poll_schedule.sql")); err != nil {
				t.Fatalf("down: %v", err)
			}
			leaseEnd := now.Add(time.Minute)
			for id, at := range map[string]time.Time{due.ID: now.Add(-time.Second), claimed.ID: leaseEnd, other.ID: now.Add(-time.Hour)} {
				if _, err := st.Writer().ExecContext(ctx, `UPDATE trackings SET next_poll_due = $1 WHERE public_id = $2`, at.UnixMicro(), id); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Writer().ExecContext(ctx, migrationUp(t, engine, "00030_poll_schedule.sql")); err != nil {
				t.Fatalf("up: %v", err)
			}

			for id, want := range map[string]time.Time{due.ID: now.Add(-time.Second), claimed.ID: leaseEnd, none.ID: {}, other.ID: now.Add(-time.Hour)} {
				var got sql.NullInt64
				var org int64
				err := st.Writer().QueryRowContext(ctx, `SELECT org_id, due FROM poll_schedule WHERE public_id = $1`, id).Scan(&org, &got)
				switch {
				case want.IsZero() && err != sql.ErrNoRows:
					t.Errorf("%s: a schedule row (%v, %v) for a tracking without a poll", id, got, err)
				case !want.IsZero() && (err != nil || !got.Valid || got.Int64 != want.UnixMicro()):
					t.Errorf("%s: due %v (%v), want %d", id, got, err, want.UnixMicro())
				case err == nil && org != map[bool]int64{true: b.ID, false: a.ID}[id == other.ID]:
					t.Errorf("%s: moved under organization %d", id, org)
				}
			}
			keys, err := st.Write().ClaimPolls(ctx, now, time.Minute, 10)
			if err != nil || len(keys) != 2 || keys[0] != (store.PollKey{OrgID: b.ID, ID: other.ID}) || keys[1] != (store.PollKey{OrgID: a.ID, ID: due.ID}) {
				t.Fatalf("claim after the move: %v %v, want %s then %s", keys, err, other.ID, due.ID)
			}
			// The claim under way before the move is still the tracking's.
			if _, ours, err := st.Write().TrackingUnderPollClaim(ctx, store.PollKey{OrgID: a.ID, ID: claimed.ID}, leaseEnd); err != nil || !ours {
				t.Fatalf("the moved claim: %v %v", ours, err)
			}
			// Another organization's key finds nothing to end.
			if ended, err := st.Write().EndPollClaim(ctx, store.PollKey{OrgID: b.ID, ID: claimed.ID}, leaseEnd); err != nil || ended {
				t.Fatalf("end under another organization: %v %v", ended, err)
			}
			if err := st.Write().DeleteTracking(ctx, a.ID, claimed.ID); err != nil {
				t.Fatal(err)
			}
			var left int
			if err := st.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM poll_schedule WHERE public_id = $1`, claimed.ID).Scan(&left); err != nil || left != 0 {
				t.Fatalf("a deleted tracking's schedule: %d rows (%v)", left, err)
			}
		})
	}
}

// migrationDown returns the Down statements of one migration of the
// engine (migrationUp's counterpart).
func migrationDown(t *testing.T, engine, name string) string {
	t.Helper()
	b, err := store.Migrations.ReadFile("migrations/" + engine + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	_, down, ok := strings.Cut(string(b), "-- +goose Down")
	if !ok {
		t.Fatalf("%s has no Down section", name)
	}
	return down
}
