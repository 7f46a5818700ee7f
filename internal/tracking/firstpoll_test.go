package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestCreateAppliesFirstPollThatCannotAskTheCarrier: a create of a courier
// whose connector needs a connection, in an organization without one,
// leaves the tracking as its first poll would (counted once, next poll
// after the cadence's first interval) and queues that next poll instead
// of one due at once; the poll then goes on without asking the carrier. A
// courier no connector polls gets no poll job; one with a connection
// gets its first poll at once.
func TestCreateAppliesFirstPollThatCannotAskTheCarrier(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			c := &scriptedCarrier{answer: transitScan}
			e := newPollEnv(t, engine, "dhl", c)
			// jobs counts the poll jobs and gives the newest one's priority.
			jobs := func() (n, priority int) {
				t.Helper()
				err := e.st.Writer().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE((SELECT priority FROM river_job
					WHERE kind = 'poll_tracking' ORDER BY id DESC LIMIT 1), 0) FROM river_job WHERE kind = 'poll_tracking'`).Scan(&n, &priority)
				if err != nil {
					t.Fatal(err)
				}
				return n, priority
			}

			tr := e.create(t, e.org.ID, "dhl", "1234567890")
			if tr.TrackedCount != 1 || !tr.NextPollAt.Equal(e.now.Add(15*time.Minute)) {
				t.Errorf("created: tracked %d, next poll %s; want 1 and %s", tr.TrackedCount, tr.NextPollAt, e.now.Add(15*time.Minute))
			}
			if got := e.get(t, e.org.ID, tr.ID); got.TrackedCount != 1 || !got.NextPollAt.Equal(tr.NextPollAt) {
				t.Errorf("stored: tracked %d, next poll %s; want 1 and %s", got.TrackedCount, got.NextPollAt, tr.NextPollAt)
			}
			if n, priority := jobs(); n != 1 || priority != queue.PriorityRoutine {
				t.Errorf("%d poll jobs at priority %d, want 1 at %d", n, priority, queue.PriorityRoutine)
			}
			e.now = tr.NextPollAt
			if err := e.svc.Poll(ctx, e.org.ID, tr.ID, tr.NextPollAt); err != nil {
				t.Fatal(err)
			}
			if got := e.get(t, e.org.ID, tr.ID); got.TrackedCount != 2 || !got.NextPollAt.Equal(e.now.Add(15*time.Minute)) {
				t.Errorf("after the next poll: tracked %d, next poll %s; want 2 and %s", got.TrackedCount, got.NextPollAt, e.now.Add(15*time.Minute))
			}
			if c.callCount() != 0 {
				t.Errorf("the carrier was asked %d times without a connection", c.callCount())
			}

			// No connector for royal-mail here: nothing to queue.
			before, _ := jobs()
			if tr := e.create(t, e.org.ID, "royal-mail", "AB000000003GB"); tr.TrackedCount != 0 || !tr.NextPollAt.Equal(e.now) {
				t.Errorf("without a connector: tracked %d, next poll %s; want 0 and %s", tr.TrackedCount, tr.NextPollAt, e.now)
			}
			if n, _ := jobs(); n != before {
				t.Errorf("without a connector: %d poll jobs, want %d", n, before)
			}

			// With a connection, the first poll asks the carrier at once.
			if _, err := e.svc.CreateConnection(ctx, e.org.ID, "dhl", map[string]string{"api_key": "k"}); err != nil {
				t.Fatal(err)
			}
			tr = e.create(t, e.org.ID, "dhl", "1234567891")
			if tr.TrackedCount != 0 || !tr.NextPollAt.Equal(e.now) {
				t.Errorf("with a connection: tracked %d, next poll %s; want 0 and %s", tr.TrackedCount, tr.NextPollAt, e.now)
			}
			if n, priority := jobs(); n != before+1 || priority != queue.PriorityNew {
				t.Errorf("with a connection: %d poll jobs, newest at priority %d; want %d, %d", n, priority, before+1, queue.PriorityNew)
			}
		})
	}
}
