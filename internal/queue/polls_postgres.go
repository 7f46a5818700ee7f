package queue

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// insertPollsPostgres inserts poll jobs into River's table on PostgreSQL in
// one statement over arrays, as River's InsertManyFastTx does, but with
// arrays pgx encodes natively: River's driver for database/sql wraps each
// column in a lib/pq array that pgx encodes through reflection and text,
// and builds each job's unique key by reflecting over the args, which
// together were about a quarter of a create's CPU on PostgreSQL. The rows
// are the ones River would write (pollRow; River's client takes the
// current time for created_at, and for scheduled_at of a poll due by now),
// and the ON CONFLICT clause is River's, so a poll River queued (the same
// tracking and due time) is skipped. polls must not repeat a poll.
//
// The statement follows River v0.51.1's driver (JobInsertFastManyNoReturning),
// pinned in go.mod; the table and its state type are found on the search
// path, as River's are with no schema configured.
func insertPollsPostgres(ctx context.Context, tx *sql.Tx, polls []Poll, priority int, now time.Time) error {
	args, scheduled, states, keys := make([]string, len(polls)), make([]time.Time, len(polls)),
		make([]string, len(polls)), make([][]byte, len(polls))
	now = now.UTC()
	for i, p := range polls {
		r := pollRow(p, now)
		args[i], states[i], keys[i], scheduled[i] = string(r.args), r.state, r.uniqueKey, now
		if r.state == "scheduled" {
			scheduled[i] = p.Due.UTC()
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO river_job
		(args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states)
		SELECT j.args::jsonb, $1, 'poll_tracking', 10, '{}'::jsonb, $2, 'default', j.scheduled_at,
			j.state::river_job_state, '{}', j.unique_key, $3::integer::bit(8)
		FROM unnest($4::text[], $5::timestamptz[], $6::text[], $7::bytea[]) AS j(args, scheduled_at, state, unique_key)
		ON CONFLICT (unique_key)
			WHERE unique_key IS NOT NULL
				AND unique_states IS NOT NULL
				AND river_job_state_in_bitmask(unique_states, state)
		DO NOTHING`, now, priority, pollUniqueStates, args, scheduled, states, keys)
	if err != nil {
		return fmt.Errorf("enqueue %d polls: %w", len(polls), err)
	}
	return nil
}
