package queue

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// insertPollsSQLite inserts poll jobs into River's table on SQLite with a
// prepared single-row statement each, rather than through River's
// InsertManyFastTx. River's batched insert on SQLite sends the jobs as one
// JSON array that the statement takes apart with json_each and twelve
// json_extract calls per row (each parsing the row's object again), after
// encoding the array by reflection: on a load of creates that was more
// than a third of the job insert's cost. The rows are the ones River would
// write (pollRow): same kind, queue, priority, attempts, state, scheduled
// time and unique key, so River works them, and a poll River queued (the
// same tracking and due time) is skipped by the same ON CONFLICT clause,
// as TestEnqueuePollBatch checks in both directions.
//
// The statement and its format follow River v0.51.1's riversqlite driver
// (JobInsertFastManyNoReturning), pinned in go.mod.
func insertPollsSQLite(ctx context.Context, tx *sql.Tx, polls []Poll, priority int, now time.Time) error {
	for _, p := range polls {
		r := pollRow(p, now)
		var scheduledAt any // nil: now, in the statement
		if r.state == "scheduled" {
			// River's SQLite time text, to the millisecond.
			scheduledAt = p.Due.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
		}
		if _, err := tx.ExecContext(ctx, insertPollSQLite, r.args, priority, scheduledAt, r.state,
			r.uniqueKey, pollUniqueStates); err != nil {
			return fmt.Errorf("enqueue poll of %s: %w", p.TrackingID, err)
		}
	}
	return nil
}

// insertPollSQLite is River's SQLite job insert for one poll: the columns
// River's client fills for pollOpts (metadata {}, no tags, the default
// queue), and River's ON CONFLICT clause on its partial unique index.
const insertPollSQLite = `INSERT INTO river_job
	(args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states)
	VALUES (jsonb(?1), datetime('now', 'subsec'), 'poll_tracking', 10, jsonb('{}'), ?2, 'default',
		coalesce(?3, datetime('now', 'subsec')), ?4, jsonb('[]'), ?5, ?6)
	ON CONFLICT (unique_key)
	WHERE unique_key IS NOT NULL
		AND unique_states IS NOT NULL
		AND CASE state
			WHEN 'available' THEN unique_states & (1 << 0)
			WHEN 'cancelled' THEN unique_states & (1 << 1)
			WHEN 'completed' THEN unique_states & (1 << 2)
			WHEN 'discarded' THEN unique_states & (1 << 3)
			WHEN 'pending'   THEN unique_states & (1 << 4)
			WHEN 'retryable' THEN unique_states & (1 << 5)
			WHEN 'running'   THEN unique_states & (1 << 6)
			WHEN 'scheduled' THEN unique_states & (1 << 7)
			ELSE 0
		END >= 1
	DO NOTHING`

// pollUniqueStates is River's bitmask of uniqueWhileQueued's states: the
// bit of each state is the one the statement's CASE tests.
var pollUniqueStates = func() int64 {
	bit := map[rivertype.JobState]int{rivertype.JobStateAvailable: 0, rivertype.JobStateCancelled: 1,
		rivertype.JobStateCompleted: 2, rivertype.JobStateDiscarded: 3, rivertype.JobStatePending: 4,
		rivertype.JobStateRetryable: 5, rivertype.JobStateRunning: 6, rivertype.JobStateScheduled: 7}
	var mask int64
	for _, s := range uniqueWhileQueued.ByState {
		mask |= 1 << bit[s]
	}
	return mask
}()

// polledRow is what a poll job's row holds that varies by poll.
type polledRow struct {
	args      []byte
	state     string // "available" from now, or "scheduled" at the poll's due time
	uniqueKey []byte
}

// pollRow returns p's row as River's client makes it for pollOpts: a poll
// due by now is available from now, a later one scheduled at its due time;
// the args are
// pollTrackingArgs's JSON, and the unique key the SHA-256 of River's key
// string for ByArgs: the kind and the unique fields in the order of their
// JSON names (due, org_id, tracking_id).
func pollRow(p Poll, now time.Time) polledRow {
	id, _ := json.Marshal(p.TrackingID) // a string always encodes
	due := strconv.AppendInt(nil, p.Due.UnixMicro(), 10)
	org := strconv.AppendInt(nil, p.OrgID, 10)
	args := make([]byte, 0, 64+len(id))
	args = append(append(append(args, `{"org_id":`...), org...), `,"tracking_id":`...)
	args = append(append(append(args, id...), `,"due":`...), due...)
	args = append(args, '}')
	key := make([]byte, 0, 80+len(id))
	key = append(append(append(key, `&kind=poll_tracking&args={"due":`...), due...), `,"org_id":`...)
	key = append(append(append(key, org...), `,"tracking_id":`...), id...)
	key = append(key, '}')
	sum := sha256.Sum256(key)
	r := polledRow{args: args, state: "available", uniqueKey: sum[:]}
	if p.Due.After(now) {
		r.state = "scheduled"
	}
	return r
}
