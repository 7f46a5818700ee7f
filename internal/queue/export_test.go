package queue

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river"
)

// InsertLegacyReturnEmail queues a send_return_email job inside tx, as
// releases before return emails became notifications did.
func (q *Queue) InsertLegacyReturnEmail(ctx context.Context, tx *sql.Tx, orgID, returnID int64, eventID string) error {
	return q.insert(ctx, tx, sendReturnEmailArgs{OrgID: orgID, ReturnID: returnID, EventID: eventID},
		&river.InsertOpts{Queue: QueueNotifications, Priority: PriorityNew, MaxAttempts: 25})
}
