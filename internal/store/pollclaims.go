package store

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/waybillhq/waybill"
)

// A tracking inserted with a first poll to claim (InsertTrackingsFirstPoll)
// carries no poll job: the trackings table is its queue. first_poll_due
// (migration 00025) is when the first poll may be claimed; a claim moves
// it to the end of the claim's lease, so a claim left by a process that
// died is claimed again once its lease ends; the poll's transaction
// (EndFirstPoll) sets it to NULL, and every later poll is a job of the
// queue as before. Against a job that saves a create the job row's insert
// with the queue's indexes, and the queue its fetch and completion.

// FirstPollKey names a tracking whose first poll was claimed.
type FirstPollKey struct {
	OrgID int64
	ID    string // the tracking's public id
}

// firstPollDue is the first_poll_due of a tracking inserted with its first
// poll due at at: NULL when at is zero (no first poll to claim).
func firstPollDue(at time.Time) any {
	if at.IsZero() {
		return nil
	}
	return toMicros(at)
}

// InsertTrackingsFirstPoll is InsertTrackings that also makes each
// inserted tracking's first poll claimable (ClaimFirstPolls) from
// firstPolls[i] on; a zero firstPolls[i] makes none. It writes the time in
// the tracking's own row: no statement is added.
func (q *Queries) InsertTrackingsFirstPoll(ctx context.Context, ts []*waybill.Tracking, firstPolls []time.Time) ([]bool, error) {
	if len(firstPolls) != len(ts) {
		return nil, fmt.Errorf("insert trackings: %d first polls for %d trackings", len(firstPolls), len(ts))
	}
	return q.insertTrackings(ctx, ts, firstPolls)
}

// ClaimFirstPolls claims up to limit first polls due at now, the earliest
// first (on SQLite up to limit rounded down to a power of two), and
// returns their trackings: no other call claims them before
// now+lease, unless DeferFirstPoll moves them or EndFirstPoll ends them.
// Concurrent callers (other instances on PostgreSQL) claim different
// trackings.
func (q *Queries) ClaimFirstPolls(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]FirstPollKey, error) {
	// SQLite plans a statement again whenever the number bound to its
	// LIMIT changes (River's fetch hit the same), so there the limit is
	// part of the text, rounded down to a power of two: a few statements,
	// each prepared once.
	limit = max(limit, 1)
	limit = 1 << (bits.Len(uint(limit)) - 1)
	query := fmt.Sprintf(`UPDATE trackings SET first_poll_due = $2 WHERE id IN (
		SELECT id FROM trackings WHERE first_poll_due <= $1 ORDER BY first_poll_due, id LIMIT %d)
		RETURNING org_id, public_id`, limit)
	args := []any{toMicros(now), toMicros(now.Add(lease))}
	if q.engine == Postgres {
		query = `UPDATE trackings t SET first_poll_due = $2 FROM (
			SELECT id FROM trackings WHERE first_poll_due <= $1 ORDER BY first_poll_due, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS c
			WHERE t.id = c.id RETURNING t.org_id, t.public_id`
		args = append(args, limit)
	}
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("claim first polls: %w", err)
	}
	defer rows.Close()
	var keys []FirstPollKey
	for rows.Next() && err == nil {
		var k FirstPollKey
		err = rows.Scan(&k.OrgID, &k.ID)
		keys = append(keys, k)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return nil, fmt.Errorf("claim first polls: %w", err)
	}
	return keys, nil
}

// DeferFirstPoll makes a claimed first poll claimable again at at (a
// snoozed or failed poll). claimedUntil is the end of the caller's claim
// (ClaimFirstPolls' now+lease): a tracking whose claim is no longer that
// one (ended, or claimed again by another process after the lease) is
// left alone, so a late call never shortens another claimer's lease.
func (q *Queries) DeferFirstPoll(ctx context.Context, key FirstPollKey, claimedUntil, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE trackings SET first_poll_due = $3 WHERE org_id = $1 AND public_id = $2 AND first_poll_due = $4`,
		key.OrgID, key.ID, toMicros(at), toMicros(claimedUntil)); err != nil {
		return fmt.Errorf("defer first poll of %s: %w", key.ID, err)
	}
	return nil
}

// EndFirstPoll ends the claim that lasts until claimedUntil: the tracking
// has no first poll to claim any more. It reports whether that claim was
// still the tracking's; false (the claim was ended, or taken again by
// another process after its lease) means the caller must not act on it.
// In the transaction of the poll's writes it holds the tracking's row
// until the commit, so of two claimers that both polled, one writes.
func (q *Queries) EndFirstPoll(ctx context.Context, key FirstPollKey, claimedUntil time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE trackings SET first_poll_due = NULL WHERE org_id = $1 AND public_id = $2 AND first_poll_due = $3`,
		key.OrgID, key.ID, toMicros(claimedUntil))
	if err != nil {
		return false, fmt.Errorf("end first poll of %s: %w", key.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("end first poll of %s: %w", key.ID, err)
	}
	return n == 1, nil
}

// InsertTrackingFirstPoll is InsertTracking that also makes the
// tracking's first poll claimable (ClaimFirstPolls) from firstPoll on.
func (q *Queries) InsertTrackingFirstPoll(ctx context.Context, t *waybill.Tracking, firstPoll time.Time) error {
	return q.insertTracking(ctx, t, firstPoll)
}

// ReleaseFirstPolls makes every first poll claimable before now+lease
// claimable at now: the claims a process that is gone left (a claim ends
// at most lease after it was taken), and, with them, waits that would
// have ended within the lease anyway. For SQLite at start-up, where the
// starting process is the only one: its predecessor's claims need not
// wait out their lease. It returns how many it released.
func (q *Queries) ReleaseFirstPolls(ctx context.Context, now time.Time, lease time.Duration) (int64, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE trackings SET first_poll_due = $1 WHERE first_poll_due > $1 AND first_poll_due <= $2`,
		toMicros(now), toMicros(now.Add(lease)))
	if err != nil {
		return 0, fmt.Errorf("release first polls: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release first polls: %w", err)
	}
	return n, nil
}
