package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// TakePollJobs deletes up to limit poll jobs waiting to run (available,
// scheduled, or retryable after a failure) inside tx and returns their
// polls, for the caller to schedule another way in the same transaction
// (tracking.PollClaims moves them into the trackings' rows): when tx
// commits they are no longer jobs, when it rolls back they still are.
// Jobs under way are left to the process running them (or, if it died, to
// the queue's recovery, which makes them available to a later call). On
// PostgreSQL concurrent callers, and River's own fetch, skip the jobs
// another holds. None left returns an empty list.
func (q *Queue) TakePollJobs(ctx context.Context, tx *sql.Tx, limit int) ([]Poll, error) {
	query := `DELETE FROM river_job WHERE id IN (
		SELECT id FROM river_job WHERE kind = 'poll_tracking' AND state IN ('available', 'scheduled', 'retryable')
		LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING args`
	if q.engine == "sqlite" {
		query = `DELETE FROM river_job WHERE id IN (
			SELECT id FROM river_job WHERE kind = 'poll_tracking' AND state IN ('available', 'scheduled', 'retryable')
			LIMIT $1) RETURNING json(args)`
	}
	rows, err := tx.QueryContext(ctx, query, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("take poll jobs: %w", err)
	}
	defer rows.Close()
	var polls []Poll
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("take poll jobs: %w", err)
		}
		var a pollTrackingArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("take poll jobs: decode %q: %w", raw, err)
		}
		polls = append(polls, Poll{OrgID: a.OrgID, TrackingID: a.TrackingID, Due: time.UnixMicro(a.DueMicros).UTC()})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("take poll jobs: %w", err)
	}
	return polls, nil
}
