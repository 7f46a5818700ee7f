package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Deliveries inserted claimable (InsertDelivery's claimable) carry no job:
// the deliveries table is their queue. due_at is when the first attempt
// may be claimed; a claim moves it to the end of the claim's lease, so a
// claim left by a process that died is claimed again once its lease ends;
// the attempt's record (FinishAttempts) sets it to NULL. On PostgreSQL
// that costs one row update per claim against the job's insert, fetch and
// completion (three versions of a row with seven indexes, two of them GIN).

// dueAt is the due_at of a delivery inserted at now.
func dueAt(now time.Time, claimable bool) any {
	if claimable {
		return toMicros(now)
	}
	return nil
}

// ClaimDueDeliveries claims up to limit claimable deliveries due at now,
// the earliest first, and returns their keys: no other call claims them
// before now+lease, unless DeferClaim moves them. Concurrent callers (other
// instances on PostgreSQL) claim different deliveries.
func (q *Queries) ClaimDueDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]DeliveryKey, error) {
	query := `UPDATE deliveries SET due_at = $2 WHERE id IN (
		SELECT id FROM deliveries WHERE due_at <= $1 ORDER BY due_at, id LIMIT $3) RETURNING org_id, id`
	if q.engine == Postgres {
		query = `UPDATE deliveries d SET due_at = $2 FROM (
			SELECT id FROM deliveries WHERE due_at <= $1 ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS c
			WHERE d.id = c.id RETURNING d.org_id, d.id`
	}
	rows, err := q.q.QueryContext(ctx, query, toMicros(now), toMicros(now.Add(lease)), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	defer rows.Close()
	var keys []DeliveryKey
	for rows.Next() && err == nil {
		var k DeliveryKey
		err = rows.Scan(&k.OrgID, &k.ID)
		keys = append(keys, k)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return keys, nil
}

// DeferClaim makes a claimed delivery claimable again at at (a snoozed or
// interrupted attempt). claimedUntil is the end of the caller's claim
// (ClaimDueDeliveries' now+lease): a delivery whose claim is no longer that
// one (recorded, or claimed again by another process after the lease) is
// left alone, so a late call never shortens another claimer's lease.
func (q *Queries) DeferClaim(ctx context.Context, key DeliveryKey, claimedUntil, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE deliveries SET due_at = $3 WHERE org_id = $1 AND id = $2 AND due_at = $4`,
		key.OrgID, key.ID, toMicros(at), toMicros(claimedUntil)); err != nil {
		return fmt.Errorf("defer delivery %d: %w", key.ID, err)
	}
	return nil
}
