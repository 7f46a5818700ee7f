package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/waybillhq/waybill"
)

// PendingTimeEndpoint is an enabled endpoint that subscribes to
// tracking_pending_time, with its threshold.
type PendingTimeEndpoint struct {
	OrgID int64
	Seq   int64  // the endpoint's internal key
	ID    string // its public id
	Hours int
}

// PendingTimeEndpoints returns every enabled endpoint, of any
// organization, that subscribes to tracking_pending_time with a threshold.
// It is the periodic sweep's entry point; what it reads next is scoped to
// each endpoint's organization.
func (q *Queries) PendingTimeEndpoints(ctx context.Context) ([]PendingTimeEndpoint, error) {
	// Sorted here rather than by ORDER BY id, which would have SQLite walk
	// every endpoint in key order instead of searching the pending_hours
	// index for the few that set a threshold.
	rows, err := q.q.QueryContext(ctx, `SELECT id, public_id, org_id, events, pending_hours FROM webhook_endpoints
		WHERE pending_hours > 0 AND enabled = $1`, true)
	if err != nil {
		return nil, fmt.Errorf("list pending-time endpoints: %w", err)
	}
	defer rows.Close()
	var out []PendingTimeEndpoint
	for rows.Next() {
		var e PendingTimeEndpoint
		var events string
		if err := rows.Scan(&e.Seq, &e.ID, &e.OrgID, &events, &e.Hours); err != nil {
			return nil, fmt.Errorf("list pending-time endpoints: %w", err)
		}
		var names []string
		if err := json.Unmarshal([]byte(events), &names); err != nil {
			return nil, fmt.Errorf("list pending-time endpoints: decode events of %s: %w", e.ID, err)
		}
		if slices.Contains(names, waybill.EventTrackingPendingTime) {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pending-time endpoints: %w", err)
	}
	slices.SortFunc(out, func(a, b PendingTimeEndpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// PendingTracking names a tracking that has stayed Pending.
type PendingTracking struct {
	Seq int64  // internal key
	ID  string // public id
}

// PendingSince returns the organization's active trackings still Pending
// that were created at or before createdBy and that the endpoint (by its
// internal key) has not been told about, oldest first, at most limit.
func (q *Queries) PendingSince(ctx context.Context, orgID, endpointSeq int64, createdBy time.Time, limit int) ([]PendingTracking, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT t.id, t.public_id FROM trackings t
		WHERE t.org_id = $1 AND t.tag = $2 AND t.active = $3 AND t.created_at <= $4
		AND NOT EXISTS (SELECT 1 FROM pending_time_sent s WHERE s.endpoint_id = $5 AND s.tracking_id = t.id)
		ORDER BY t.created_at, t.id LIMIT $6`, orgID, string(waybill.TagPending), true, toMicros(createdBy), endpointSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list pending trackings: %w", err)
	}
	defer rows.Close()
	var out []PendingTracking
	for rows.Next() {
		var p PendingTracking
		if err := rows.Scan(&p.Seq, &p.ID); err != nil {
			return nil, fmt.Errorf("list pending trackings: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkPendingTimeSent records that the endpoint is told about the
// tracking, and reports whether it was not recorded before: of two sweeps
// racing, only one gets true.
func (q *Queries) MarkPendingTimeSent(ctx context.Context, orgID, endpointSeq, trackingSeq int64, now time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO pending_time_sent (endpoint_id, tracking_id, org_id, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, endpointSeq, trackingSeq, orgID, toMicros(now))
	if err != nil {
		return false, fmt.Errorf("record pending-time event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record pending-time event: %w", err)
	}
	return n == 1, nil
}
