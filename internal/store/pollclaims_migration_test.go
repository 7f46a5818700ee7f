package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

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
			if _, err := st.Writer().ExecContext(ctx, migrationSection(t, engine, "00030_poll_schedule.sql", "Down")); err != nil {
				t.Fatalf("down: %v", err)
			}
			leaseEnd := now.Add(time.Minute)
			for id, at := range map[string]time.Time{due.ID: now.Add(-time.Second), claimed.ID: leaseEnd, other.ID: now.Add(-time.Hour)} {
				if _, err := st.Writer().ExecContext(ctx, `UPDATE trackings SET next_poll_due = $1 WHERE public_id = $2`, at.UnixMicro(), id); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Writer().ExecContext(ctx, migrationSection(t, engine, "00030_poll_schedule.sql", "Up")); err != nil {
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

// migrationSection returns the Up or Down statements of one migration of
// the engine.
func migrationSection(t *testing.T, engine, name, section string) string {
	t.Helper()
	b, err := store.Migrations.ReadFile("migrations/" + engine + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	up, down := strings.Index(s, "-- +goose Up"), strings.Index(s, "-- +goose Down")
	if up < 0 || down < up {
		t.Fatalf("%s has no Up and Down sections", name)
	}
	if section == "Up" {
		return s[up+len("-- +goose Up") : down]
	}
	return s[down+len("-- +goose Down"):]
}
