package tracking_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
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

// TestCreateBatchPlansFirstPolls: a batch plans each row's first poll as
// Create does. Without a connection the dhl rows are counted as polled
// once and their next polls queued at routine priority, a courier no
// connector polls gets no job, and once the organization has a dhl
// connection a row's first poll is queued due at once, at bulk priority.
func TestCreateBatchPlansFirstPolls(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			c := &scriptedCarrier{answer: transitScan}
			e := newPollEnv(t, engine, "dhl", c)
			jobs := func() map[int]int { return pollJobs(t, e) }

			res, err := e.svc.CreateBatch(ctx, e.org.ID, []tracking.CreateInput{
				{TrackingNumber: "1234567890", Slug: "dhl"},
				{TrackingNumber: "AB000000003GB", Slug: "royal-mail"},
				{TrackingNumber: "1234567891", Slug: "dhl"},
				{TrackingNumber: "1234567890", Slug: "dhl"},
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []struct {
				outcome tracking.BatchOutcome
				tracked int
				next    time.Time
			}{
				{tracking.BatchCreated, 1, e.now.Add(15 * time.Minute)},
				{tracking.BatchCreated, 0, e.now},
				{tracking.BatchCreated, 1, e.now.Add(15 * time.Minute)},
				{tracking.BatchExists, 1, e.now.Add(15 * time.Minute)},
			} {
				got := res[i]
				if got.Outcome != want.outcome || got.Tracking.TrackedCount != want.tracked || !got.Tracking.NextPollAt.Equal(want.next) {
					t.Errorf("row %d: %s, tracked %d, next poll %s; want %s, %d, %s", i, got.Outcome, got.Tracking.TrackedCount,
						got.Tracking.NextPollAt, want.outcome, want.tracked, want.next)
				}
				if stored := e.get(t, e.org.ID, got.Tracking.ID); stored.TrackedCount != want.tracked || !stored.NextPollAt.Equal(want.next) {
					t.Errorf("row %d stored: tracked %d, next poll %s; want %d, %s", i, stored.TrackedCount, stored.NextPollAt, want.tracked, want.next)
				}
			}
			if got, want := jobs(), map[int]int{queue.PriorityRoutine: 2}; !maps.Equal(got, want) {
				t.Errorf("poll jobs by priority: %v, want %v", got, want)
			}

			if _, err := e.svc.CreateConnection(ctx, e.org.ID, "dhl", map[string]string{"api_key": "k"}); err != nil {
				t.Fatal(err)
			}
			res, err = e.svc.CreateBatch(ctx, e.org.ID, []tracking.CreateInput{{TrackingNumber: "1234567892", Slug: "dhl"}})
			if err != nil {
				t.Fatal(err)
			}
			if tr := res[0].Tracking; res[0].Outcome != tracking.BatchCreated || tr.TrackedCount != 0 || !tr.NextPollAt.Equal(e.now) {
				t.Errorf("with a connection: %s, tracked %d, next poll %s; want created, 0, %s", res[0].Outcome, tr.TrackedCount, tr.NextPollAt, e.now)
			}
			if got, want := jobs(), map[int]int{queue.PriorityRoutine: 2, queue.PriorityBulk: 1}; !maps.Equal(got, want) {
				t.Errorf("with a connection, poll jobs by priority: %v, want %v", got, want)
			}
			if c.callCount() != 0 {
				t.Errorf("the carrier was asked %d times by creates", c.callCount())
			}
		})
	}
}
