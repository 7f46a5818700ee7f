package queue

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
)

// Handlers are the functions that do the work of each job kind. A handler
// returning an error is retried with backoff; it must be idempotent, since a
// crash can run a job twice.
type Handlers struct {
	// PollTracking refreshes one tracking from its carrier.
	PollTracking func(ctx context.Context, orgID int64, trackingID string) error
}

type pollTrackingArgs struct {
	OrgID      int64  `json:"org_id" river:"unique"`
	TrackingID string `json:"tracking_id" river:"unique"`
}

func (pollTrackingArgs) Kind() string { return "poll_tracking" }

// EnqueuePoll schedules a poll of a tracking at the given time, inside tx.
// At most one poll per tracking waits at a time: a second request while one
// is queued is a no-op.
func (q *Queue) EnqueuePoll(ctx context.Context, tx *sql.Tx, orgID int64, trackingID string, at time.Time, priority int) error {
	return q.insert(ctx, tx, pollTrackingArgs{OrgID: orgID, TrackingID: trackingID},
		&river.InsertOpts{ScheduledAt: at, Priority: priority, UniqueOpts: uniqueWhileQueued, MaxAttempts: 10})
}

func (h Handlers) register() *river.Workers {
	w := river.NewWorkers()
	if h.PollTracking != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[pollTrackingArgs]) error {
			return h.PollTracking(ctx, j.Args.OrgID, j.Args.TrackingID)
		}))
	}
	return w
}
