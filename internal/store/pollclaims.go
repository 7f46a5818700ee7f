package store

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/waybillhq/waybill"
)

// A tracking followed by a serving process carries its next poll in a
// row of poll_schedule (migration 00030; 00025 and 00026 held it in the
// tracking's own row, next_poll_due) rather than as a job of the queue.
// due is when the tracking's next poll may be claimed; a claim moves it
// to the end of the claim's lease, so a claim left by a process that died
// is claimed again once its lease ends; the poll's transaction ends the
// claim (EndPollClaim) or writes the time of the poll after it
// (UpdateTrackingNextPoll). A tracking with nothing to poll (stopped,
// delivered, expired) holds NULL or no row, so the partial index holds
// only the trackings with a poll to make. Against a job per poll that
// saves the job row's insert with the queue's indexes, and the queue its
// promotion of the scheduled job, fetch and completion; against the
// tracking's own row, the claim and the schedule are a narrow row under
// two indexes rather than a new version of the tracking's row under every
// index of trackings (an update of an indexed column is never HOT on
// PostgreSQL).

// PollKey names a tracking whose poll was claimed.
type PollKey struct {
	OrgID int64
	ID    string // the tracking's public id
}

// insertWithPollDue makes a single-row INSERT INTO trackings ... ON
// CONFLICT DO NOTHING statement (PostgreSQL) also insert the new
// tracking's poll_schedule row, due at the statement's parameter due: the
// count of rows it affects is still that of trackings inserted.
func insertWithPollDue(insert, due string) string {
	return `WITH t AS (` + insert + ` RETURNING public_id, org_id)
		INSERT INTO poll_schedule (public_id, org_id, due) SELECT public_id, org_id, ` + due + ` FROM t`
}

// pollScheduleColumns are poll_schedule's columns as insertPollSchedule's
// rows give them.
var pollScheduleColumns = []bulkColumn{{"public_id", "text"}, {"org_id", "bigint"}, {"due", "bigint"}}

// insertPollSchedule inserts rows of poll_schedule, each the public id,
// organization and due time (micros) of a tracking that has none yet.
func (q *Queries) insertPollSchedule(ctx context.Context, rows [][]any) error {
	if _, err := q.bulkInsert(ctx, "poll_schedule", pollScheduleColumns, rows, ""); err != nil {
		return fmt.Errorf("schedule %d first polls: %w", len(rows), err)
	}
	return nil
}

// schedulePollStatement is the statement that makes a tracking's poll
// claimable from the parameter due on, with a row made when the tracking
// (the parameter id, which must be of the organization the parameter org
// names) has none; the parameters are placeholders ("$3").
func schedulePollStatement(org, id, due string) string {
	return `INSERT INTO poll_schedule (public_id, org_id, due)
		SELECT public_id, org_id, ` + due + ` FROM trackings WHERE org_id = ` + org + ` AND public_id = ` + id + `
		ON CONFLICT (public_id) DO UPDATE SET due = excluded.due`
}

// unschedulePollStatement is the statement that gives up the tracking's
// poll to claim (the parameter id, of the organization org names), if
// it had one.
func unschedulePollStatement(org, id string) string {
	return `UPDATE poll_schedule SET due = NULL WHERE org_id = ` + org + ` AND public_id = ` + id + ` AND due IS NOT NULL`
}

// The statements of schedulePoll.
var (
	schedulePollSQL   = schedulePollStatement("$1", "$2", "$3")
	unschedulePollSQL = unschedulePollStatement("$1", "$2")
)

// schedulePoll makes the tracking's poll claimable from at on (none when
// at is zero), whatever it was: on SQLite, where it runs as a statement
// of its own, an update of the schedule's row by its key, and only when
// the tracking has no row yet schedulePollSQL's insert (a poll's own
// write always finds the row its claim updated).
func (q *Queries) schedulePoll(ctx context.Context, orgID int64, id string, at time.Time) error {
	if at.IsZero() {
		if _, err := q.q.ExecContext(ctx, unschedulePollSQL, orgID, id); err != nil {
			return fmt.Errorf("unschedule poll of %s: %w", id, err)
		}
		return nil
	}
	res, err := q.q.ExecContext(ctx, `UPDATE poll_schedule SET due = $3 WHERE org_id = $1 AND public_id = $2`, orgID, id, toMicros(at))
	if err != nil {
		return fmt.Errorf("schedule poll of %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	if _, err := q.q.ExecContext(ctx, schedulePollSQL, orgID, id, toMicros(at)); err != nil {
		return fmt.Errorf("schedule poll of %s: %w", id, err)
	}
	return nil
}

// updateTrackingPollDue is updateTracking of every field that also makes
// the tracking's poll claimable from next on, or gives it up when next is
// zero: on PostgreSQL in the same statement (a data-modifying WITH), on
// SQLite, in process, in a second one.
func (q *Queries) updateTrackingPollDue(ctx context.Context, t *waybill.Tracking, next time.Time) error {
	if q.engine != Postgres {
		if err := q.updateTracking(ctx, t, updateTrackingSQL); err != nil {
			return err
		}
		return q.schedulePoll(ctx, t.OrgID, t.ID, next)
	}
	if next.IsZero() {
		return q.updateTracking(ctx, t, updateTrackingUnscheduleSQL)
	}
	return q.updateTracking(ctx, t, updateTrackingScheduleSQL, toMicros(next))
}

// updateTrackingPollDue's statements on PostgreSQL: updateTrackingSQL
// with schedulePoll's statements on its organization ($13) and public id
// ($14), and the due time after its parameters ($16).
var (
	updateTrackingUnscheduleSQL = `WITH s AS (` + unschedulePollStatement("$13", "$14") + `) ` + updateTrackingSQL
	updateTrackingScheduleSQL   = `WITH s AS (` + schedulePollStatement("$13", "$14", "$16") + `) ` + updateTrackingSQL
)

// InsertTrackingsPollDue is InsertTrackings that also makes each
// inserted tracking's first poll claimable (ClaimPolls) from
// firstPolls[i] on; a zero firstPolls[i] makes none (the tracking is not
// polled, or its first poll is a job of the queue). On PostgreSQL the
// poll_schedule rows go in the same statement as the trackings; on
// SQLite in a multi-row insert after them (one for a batch of a power of
// two trackings, a few otherwise), not a statement each.
func (q *Queries) InsertTrackingsPollDue(ctx context.Context, ts []*waybill.Tracking, firstPolls []time.Time) ([]bool, error) {
	if len(firstPolls) != len(ts) {
		return nil, fmt.Errorf("insert trackings: %d first polls for %d trackings", len(firstPolls), len(ts))
	}
	return q.insertTrackings(ctx, unencoded(ts), firstPolls)
}

// ClaimPolls claims up to limit polls due at now, the earliest
// first (on SQLite up to limit rounded down to a power of two), and
// returns their trackings: no other call claims them before
// now+lease, unless DeferPoll moves them or EndPollClaim ends them.
// Concurrent callers (other instances on PostgreSQL) claim different
// trackings.
func (q *Queries) ClaimPolls(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]PollKey, error) {
	// SQLite plans a statement again whenever the number bound to its
	// LIMIT changes (River's fetch hit the same), so there the limit is
	// part of the text, rounded down to a power of two: a few statements,
	// each prepared once.
	limit = max(limit, 1)
	limit = 1 << (bits.Len(uint(limit)) - 1)
	query := fmt.Sprintf(`UPDATE poll_schedule SET due = $2 WHERE public_id IN (
		SELECT public_id FROM poll_schedule WHERE due <= $1 ORDER BY due, public_id LIMIT %d)
		RETURNING org_id, public_id`, limit)
	args := []any{toMicros(now), toMicros(now.Add(lease))}
	if q.engine == Postgres {
		query = claimPollsPostgres
		args = append(args, limit)
	}
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("claim polls: %w", err)
	}
	defer rows.Close()
	var keys []PollKey
	for rows.Next() && err == nil {
		var k PollKey
		err = rows.Scan(&k.OrgID, &k.ID)
		keys = append(keys, k)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return nil, fmt.Errorf("claim polls: %w", err)
	}
	return keys, nil
}

// DeferPoll makes a claimed poll claimable again at at (a
// snoozed or failed poll). claimedUntil is the end of the caller's claim
// (ClaimPolls' now+lease): a tracking whose claim is no longer that
// one (ended, or claimed again by another process after the lease) is
// left alone, so a late call never shortens another claimer's lease.
func (q *Queries) DeferPoll(ctx context.Context, key PollKey, claimedUntil, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE poll_schedule SET due = $3 WHERE org_id = $1 AND public_id = $2 AND due = $4`,
		key.OrgID, key.ID, toMicros(at), toMicros(claimedUntil)); err != nil {
		return fmt.Errorf("defer poll of %s: %w", key.ID, err)
	}
	return nil
}

// EndPollClaim ends the claim that lasts until claimedUntil: the tracking
// has no poll to claim until its transaction writes the next one
// (UpdateTrackingNextPoll). It reports whether that claim was
// still the tracking's; false (the claim was ended, or taken again by
// another process after its lease) means the caller must not act on it.
// In the transaction of the poll's writes it holds the schedule's row
// until the commit, so of two claimers that both polled, one writes.
func (q *Queries) EndPollClaim(ctx context.Context, key PollKey, claimedUntil time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE poll_schedule SET due = NULL WHERE org_id = $1 AND public_id = $2 AND due = $3`,
		key.OrgID, key.ID, toMicros(claimedUntil))
	if err != nil {
		return false, fmt.Errorf("end poll claim of %s: %w", key.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("end poll claim of %s: %w", key.ID, err)
	}
	return n == 1, nil
}

// TrackingUnderPollClaim is TrackingForUpdate of the tracking key names,
// found only while its claim is the one that lasts until claimedUntil:
// ours is false (and t zero) when that claim was ended, or taken again by
// another process after its lease. It locks the tracking's row and its
// schedule's until the transaction ends (on SQLite the transaction holds
// the only writer), so of two claimers that both polled, one writes (the
// other, blocked, finds the schedule changed), and no claim takes the poll
// meanwhile; the poll's transaction then ends the claim with its write of
// the tracking (UpdateTrackingNextPoll, or UpdateTracking for one that
// stopped).
func (q *Queries) TrackingUnderPollClaim(ctx context.Context, key PollKey, claimedUntil time.Time) (t waybill.Tracking, ours bool, err error) {
	row := q.q.QueryRowContext(ctx, q.forUpdate(trackingUnderPollClaimSQL()), key.OrgID, key.ID, toMicros(claimedUntil))
	t, _, err = scanTracking(row)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return waybill.Tracking{}, false, nil
	} else if err != nil {
		return waybill.Tracking{}, false, err
	}
	return t, true, nil
}

// InsertTrackingPollDue is InsertTracking that also makes the
// tracking's first poll claimable (ClaimPolls) from firstPoll on.
func (q *Queries) InsertTrackingPollDue(ctx context.Context, t *waybill.Tracking, firstPoll time.Time) error {
	return q.insertTracking(ctx, t, firstPoll)
}

// ReleasePollClaims makes every poll claimable before now+lease
// claimable at now: the claims a process that is gone left (a claim ends
// at most lease after it was taken), and, with them, waits that would
// have ended within the lease anyway. For SQLite at start-up, where the
// starting process is the only one: its predecessor's claims need not
// wait out their lease. It returns how many it released.
func (q *Queries) ReleasePollClaims(ctx context.Context, now time.Time, lease time.Duration) (int64, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE poll_schedule SET due = $1 WHERE due > $1 AND due <= $2`,
		toMicros(now), toMicros(now.Add(lease)))
	if err != nil {
		return 0, fmt.Errorf("release poll claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release poll claims: %w", err)
	}
	return n, nil
}

// PollDue is a tracking's poll due at a time.
type PollDue struct {
	OrgID int64
	ID    string // the tracking's public id
	Due   time.Time
}

// SchedulePolls makes each of polls claimable (ClaimPolls) from its due
// time on, unless the tracking already has a poll due earlier; an
// inactive tracking, or one that is gone, is left alone. A tracking named
// twice keeps the earliest. It is how polls queued as jobs before
// migration 00026 move into the poll schedule (tracking.PollClaims at
// start), how a poll scheduled outside a poll's own write is made
// (tracking.Service.enqueuePoll), and how `waybill bench seed` gives a
// seeded database its poll schedule: one statement per call on
// PostgreSQL, a prepared one per poll on SQLite.
func (q *Queries) SchedulePolls(ctx context.Context, polls []PollDue) error {
	earliest := make(map[PollKey]int64, len(polls))
	for _, p := range polls {
		k, due := PollKey{OrgID: p.OrgID, ID: p.ID}, toMicros(p.Due)
		if at, ok := earliest[k]; !ok || due < at {
			earliest[k] = due
		}
	}
	if q.engine != Postgres {
		for k, due := range earliest {
			if _, err := q.q.ExecContext(ctx, `INSERT INTO poll_schedule (public_id, org_id, due)
				SELECT public_id, org_id, $3 FROM trackings WHERE org_id = $1 AND public_id = $2 AND active
				ON CONFLICT (public_id) DO UPDATE SET due = min(coalesce(due, excluded.due), excluded.due)`, k.OrgID, k.ID, due); err != nil {
				return fmt.Errorf("schedule poll of %s: %w", k.ID, err)
			}
		}
		return nil
	}
	orgs, ids, dues := make([]int64, 0, len(earliest)), make([]string, 0, len(earliest)), make([]int64, 0, len(earliest))
	for k, due := range earliest {
		orgs, ids, dues = append(orgs, k.OrgID), append(ids, k.ID), append(dues, due)
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO poll_schedule (public_id, org_id, due)
		SELECT t.public_id, t.org_id, p.due FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS p(org_id, public_id, due)
		JOIN trackings t ON t.org_id = p.org_id AND t.public_id = p.public_id AND t.active
		ON CONFLICT (public_id) DO UPDATE SET due = LEAST(COALESCE(poll_schedule.due, EXCLUDED.due), EXCLUDED.due)`, orgs, ids, dues); err != nil {
		return fmt.Errorf("schedule %d polls: %w", len(earliest), err)
	}
	return nil
}

// claimPollsPostgres is ClaimPolls' statement on PostgreSQL (Warm prepares
// it).
const claimPollsPostgres = `UPDATE poll_schedule s SET due = $2 FROM (
			SELECT public_id FROM poll_schedule WHERE due <= $1 ORDER BY due, public_id LIMIT $3 FOR UPDATE SKIP LOCKED) AS c
			WHERE s.public_id = c.public_id RETURNING s.org_id, s.public_id`

// trackingUnderPollClaimSQL is TrackingUnderPollClaim's statement, before
// its lock (Warm prepares it).
func trackingUnderPollClaimSQL() string {
	return `SELECT ` + prefixColumns("t.", trackingColumns) + `
		FROM trackings t JOIN poll_schedule s ON s.public_id = t.public_id
		WHERE t.org_id = $1 AND t.public_id = $2 AND s.org_id = $1 AND s.due = $3`
}

// InsertEncodedTrackings is InsertTrackings, or with firstPolls
// InsertTrackingsPollDue, of trackings encoded beforehand
// (EncodeTracking): what the caller's goroutine encoded is not encoded
// again here.
func (q *Queries) InsertEncodedTrackings(ctx context.Context, es []EncodedTracking, firstPolls []time.Time) ([]bool, error) {
	if firstPolls != nil && len(firstPolls) != len(es) {
		return nil, fmt.Errorf("insert trackings: %d first polls for %d trackings", len(firstPolls), len(es))
	}
	return q.insertTrackings(ctx, es, firstPolls)
}
