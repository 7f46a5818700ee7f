package store

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/waybillhq/waybill"
)

// A tracking followed by a serving process carries its next poll in its
// own row rather than as a job of the queue: the trackings table is the
// poll schedule. next_poll_due (migration 00025 added it for first polls,
// 00026 renamed it for every poll) is when the tracking's next poll may be
// claimed; a claim moves it to the end of the claim's lease, so a claim
// left by a process that died is claimed again once its lease ends; the
// poll's transaction ends the claim (EndPollClaim) and writes the time of
// the poll after it (UpdateTrackingNextPoll). A tracking with nothing to
// poll (stopped, delivered, expired) holds NULL, so the partial index
// holds only the trackings with a poll to make. Against a job per poll
// that saves the job row's insert with the queue's indexes, and the
// queue its promotion of the scheduled job, fetch and completion.

// PollKey names a tracking whose poll was claimed.
type PollKey struct {
	OrgID int64
	ID    string // the tracking's public id
}

// pollDue is the next_poll_due of a tracking whose poll is due at at:
// NULL when at is zero (no poll to claim).
func pollDue(at time.Time) any {
	if at.IsZero() {
		return nil
	}
	return toMicros(at)
}

// InsertTrackingsPollDue is InsertTrackings that also makes each
// inserted tracking's first poll claimable (ClaimPolls) from
// firstPolls[i] on; a zero firstPolls[i] makes none (the tracking is not
// polled, or its first poll is a job of the queue). It writes the time in
// the tracking's own row: no statement is added.
func (q *Queries) InsertTrackingsPollDue(ctx context.Context, ts []*waybill.Tracking, firstPolls []time.Time) ([]bool, error) {
	if len(firstPolls) != len(ts) {
		return nil, fmt.Errorf("insert trackings: %d first polls for %d trackings", len(firstPolls), len(ts))
	}
	return q.insertTrackings(ctx, ts, firstPolls)
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
	query := fmt.Sprintf(`UPDATE trackings SET next_poll_due = $2 WHERE id IN (
		SELECT id FROM trackings WHERE next_poll_due <= $1 ORDER BY next_poll_due, id LIMIT %d)
		RETURNING org_id, public_id`, limit)
	args := []any{toMicros(now), toMicros(now.Add(lease))}
	if q.engine == Postgres {
		query = `UPDATE trackings t SET next_poll_due = $2 FROM (
			SELECT id FROM trackings WHERE next_poll_due <= $1 ORDER BY next_poll_due, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS c
			WHERE t.id = c.id RETURNING t.org_id, t.public_id`
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
	if _, err := q.q.ExecContext(ctx, `UPDATE trackings SET next_poll_due = $3 WHERE org_id = $1 AND public_id = $2 AND next_poll_due = $4`,
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
// In the transaction of the poll's writes it holds the tracking's row
// until the commit, so of two claimers that both polled, one writes.
func (q *Queries) EndPollClaim(ctx context.Context, key PollKey, claimedUntil time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE trackings SET next_poll_due = NULL WHERE org_id = $1 AND public_id = $2 AND next_poll_due = $3`,
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
// another process after its lease. It locks the row until the
// transaction ends (on SQLite the transaction holds the only writer), so
// of two claimers that both polled, one writes; the poll's transaction
// then ends the claim with its write of the tracking
// (UpdateTrackingNextPoll, or UpdateTracking for one that stopped), in
// one statement instead of two.
func (q *Queries) TrackingUnderPollClaim(ctx context.Context, key PollKey, claimedUntil time.Time) (t waybill.Tracking, ours bool, err error) {
	row := q.q.QueryRowContext(ctx, q.forUpdate(`SELECT `+trackingColumns+` FROM trackings
		WHERE org_id = $1 AND public_id = $2 AND next_poll_due = $3`), key.OrgID, key.ID, toMicros(claimedUntil))
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
	res, err := q.q.ExecContext(ctx, `UPDATE trackings SET next_poll_due = $1 WHERE next_poll_due > $1 AND next_poll_due <= $2`,
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
// migration 00026 move into the trackings' rows (tracking.FirstPolls at
// start), and how `waybill bench seed` gives a seeded database its poll
// schedule: one statement per call on PostgreSQL, a prepared one per poll
// on SQLite.
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
			if _, err := q.q.ExecContext(ctx, `UPDATE trackings SET next_poll_due = min(coalesce(next_poll_due, $3), $3)
				WHERE org_id = $1 AND public_id = $2 AND active`, k.OrgID, k.ID, due); err != nil {
				return fmt.Errorf("schedule poll of %s: %w", k.ID, err)
			}
		}
		return nil
	}
	orgs, ids, dues := make([]int64, 0, len(earliest)), make([]string, 0, len(earliest)), make([]int64, 0, len(earliest))
	for k, due := range earliest {
		orgs, ids, dues = append(orgs, k.OrgID), append(ids, k.ID), append(dues, due)
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE trackings t SET next_poll_due = LEAST(COALESCE(t.next_poll_due, p.due), p.due)
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS p(org_id, public_id, due)
		WHERE t.org_id = p.org_id AND t.public_id = p.public_id AND t.active`, orgs, ids, dues); err != nil {
		return fmt.Errorf("schedule %d polls: %w", len(earliest), err)
	}
	return nil
}
