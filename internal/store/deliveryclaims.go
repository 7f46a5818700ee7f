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

// claimAndReadPostgres is ClaimDueDeliveries' statement returning each
// claimed delivery as deliveriesPostgres reads it: the claim and the read
// in one statement. Each claimed row's event and endpoint are looked up by
// key (LATERAL, OFFSET 0: see deliveriesQuery).
var claimAndReadPostgres = `WITH c AS (UPDATE deliveries d SET due_at = $2 FROM (
	SELECT id FROM deliveries WHERE due_at <= $1 ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS s
	WHERE d.id = s.id RETURNING d.org_id, d.id, d.status, d.attempts, d.event_id, d.endpoint_id)
	SELECT x.* FROM c CROSS JOIN LATERAL (
	SELECT c.org_id, c.id, c.status, c.attempts, ` + prefixColumns("e.", eventColumns) + `, ` + prefixColumns("w.", endpointColumns) + `
	FROM events e JOIN webhook_endpoints w ON w.id = c.endpoint_id AND w.org_id = c.org_id
	WHERE e.id = c.event_id OFFSET 0) AS x`

// ClaimAndReadDueDeliveries is ClaimDueDeliveries returning the claimed
// deliveries with their events and endpoints (as Deliveries does), so that
// their attempts need no read of their own: on PostgreSQL one statement
// claims and reads them. A claimed delivery that cannot be read (its
// endpoint deleted meanwhile) stays claimed until the lease ends.
func (q *Queries) ClaimAndReadDueDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	if q.engine == Postgres {
		out, err := q.scanDeliveries(ctx, claimAndReadPostgres, toMicros(now), toMicros(now.Add(lease)), limit)
		if err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		return out, nil
	}
	keys, err := q.ClaimDueDeliveries(ctx, now, lease, limit)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	found, err := q.Deliveries(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(keys))
	for _, k := range keys {
		if d, ok := found[k]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeferClaim makes a claimed delivery claimable again at at (a snoozed or
// interrupted attempt). claimedUntil is the end of the caller's claim
// (ClaimDueDeliveries' now+lease): a delivery whose claim is no longer that
// one (recorded, or claimed again by another process after the lease) is
// left alone, so a late call never shortens another claimer's lease.
func (q *Queries) DeferClaim(ctx context.Context, key DeliveryKey, claimedUntil, at time.Time) error {
	if _, err := q.q.ExecContext(ctx, deferClaimSQL,
		key.OrgID, key.ID, toMicros(at), toMicros(claimedUntil)); err != nil {
		return fmt.Errorf("defer delivery %d: %w", key.ID, err)
	}
	return nil
}

// ReleaseClaims makes claimed deliveries claimable again at at, as
// DeferClaim does, with one statement: those still claimed until
// claimedUntil (their claim not yet ended by a record or by its lease).
func (q *Queries) ReleaseClaims(ctx context.Context, keys []DeliveryKey, claimedUntil, at time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	pairs := make([][2]int64, len(keys))
	for i, k := range keys {
		pairs[i] = [2]int64{k.OrgID, k.ID}
	}
	query := `UPDATE deliveries SET due_at = $2 FROM (SELECT j.value->>0 AS org_id, j.value->>1 AS id FROM json_each($1) AS j) AS k
		WHERE deliveries.org_id = k.org_id AND deliveries.id = k.id AND deliveries.due_at = $3`
	if q.engine == Postgres {
		query = releaseClaimsPostgresSQL
	}
	args := append(q.orgKeysArgs(pairs), toMicros(at), toMicros(claimedUntil))
	if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("release %d delivery claims: %w", len(keys), err)
	}
	return nil
}

// ReleaseDeliveryClaims makes every delivery claimed until a time within
// lease of now claimable at now, with one statement, and returns how many:
// for a process that alone works its database (SQLite), the claims its
// predecessor left (handed-off or claimed first attempts it died before
// recording) are then attempted at once rather than when their lease
// ends, as the queue makes its running jobs available again at start. A
// delivery deferred to within lease of now is made claimable early too.
func (q *Queries) ReleaseDeliveryClaims(ctx context.Context, now time.Time, lease time.Duration) (int64, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE deliveries SET due_at = $1 WHERE due_at > $1 AND due_at <= $2`,
		toMicros(now), toMicros(now.Add(lease)))
	if err != nil {
		return 0, fmt.Errorf("release delivery claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release delivery claims: %w", err)
	}
	return n, nil
}
