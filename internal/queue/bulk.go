package queue

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// Poll is one tracking's poll, due at a time.
type Poll struct {
	OrgID      int64
	TrackingID string
	Due        time.Time
}

// EnqueuePolls queues many polls inside tx, each as EnqueuePoll would
// (same job, same uniqueness, routine priority), in one statement per
// batch. `waybill bench seed` uses it to give a seeded database the poll
// schedule a running one has.
func (q *Queue) EnqueuePolls(ctx context.Context, tx *sql.Tx, polls []Poll) error {
	params := make([]river.InsertManyParams, len(polls))
	now := time.Now()
	for i, p := range polls {
		opts := &river.InsertOpts{Priority: PriorityRoutine, UniqueOpts: uniqueWhileQueued, MaxAttempts: 10}
		if p.Due.After(now) {
			opts.ScheduledAt = p.Due
		}
		params[i] = river.InsertManyParams{Args: pollTrackingArgs{OrgID: p.OrgID, TrackingID: p.TrackingID,
			DueMicros: p.Due.UnixMicro()}, InsertOpts: opts}
	}
	if _, err := q.client.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d polls: %w", len(polls), err)
	}
	return nil
}

// MeasureFetch runs, in a transaction it then rolls back, what the queue's
// producer does to find work: promote the scheduled jobs that are due
// (at most 1,000, River's batch) and lock up to limit available jobs of the
// default queue, the one polls run on. It returns how many it promoted and
// locked; nothing changes. It is for benchmarks (`waybill bench scale`),
// and goes through River's driver executor, an API River marks unstable:
// it is pinned with River's version in go.mod.
func MeasureFetch(ctx context.Context, db *sql.DB, engine string, limit int) (promoted, locked int, err error) {
	drv := driver(db, engine)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("measure fetch: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // always rolled back: a measurement changes nothing
	exec := drv.UnwrapExecutor(tx)
	now := time.Now().UTC()
	scheduled, err := exec.JobSchedule(ctx, &riverdriver.JobScheduleParams{Max: 1000, Now: &now})
	if err != nil {
		return 0, 0, fmt.Errorf("measure fetch: schedule: %w", err)
	}
	got, err := exec.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{ClientID: "bench-scale", MaxAttemptedBy: 100,
		MaxToLock: limit, Now: &now, Queue: river.QueueDefault})
	if err != nil {
		return 0, 0, fmt.Errorf("measure fetch: get available: %w", err)
	}
	return len(scheduled), len(got.Jobs), nil
}
