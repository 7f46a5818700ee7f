package tracking_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// newFirstPollEnv is newPollEnv whose creates write their first polls in
// the trackings' rows, and the loop that claims them.
func newFirstPollEnv(t *testing.T, engine, slug string, conn carrier.Connector) (*pollEnv, *tracking.PollClaims) {
	t.Helper()
	e := newPollEnv(t, engine, slug, conn)
	e.svc.ClaimPolls = true
	return e, &tracking.PollClaims{Service: e.svc, Workers: 4}
}

// newTransitPollEnv is newFirstPollEnv for royal-mail with a carrier
// that answers every poll with a transit scan.
func newTransitPollEnv(t *testing.T, engine string) (*scriptedCarrier, *pollEnv, *tracking.PollClaims) {
	t.Helper()
	c := &scriptedCarrier{answer: transitScan}
	e, f := newFirstPollEnv(t, engine, "royal-mail", c)
	return c, e, f
}

// pollDue reads a tracking's poll_schedule.due: when its next poll may
// be claimed, or !ok when it has none to claim.
func pollDue(t *testing.T, e *pollEnv, id string) (time.Time, bool) {
	t.Helper()
	var due sql.NullInt64
	if err := e.st.Writer().QueryRowContext(context.Background(), `SELECT due FROM poll_schedule WHERE public_id = $1`, id).Scan(&due); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return time.UnixMicro(due.Int64).UTC(), due.Valid
}

func claimOnce(t *testing.T, f *tracking.PollClaims) int {
	t.Helper()
	n, err := f.ClaimDueOnce(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFirstPollClaimedFromTheRow: a create writes its first poll in the
// tracking's row, due at once, and queues no job; a claim polls it (the
// carrier is asked once), and the poll's transaction writes the next
// poll's time in the row, again without a job. Nothing is claimed before
// that time; once it comes, the later poll is claimed from the row and
// made like the first.
func TestFirstPollClaimedFromTheRow(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c := &scriptedCarrier{answer: transitScan}
			e, f := newFirstPollEnv(t, engine, "royal-mail", c)
			tr := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			if due, ok := pollDue(t, e, tr.ID); !ok || !due.Equal(tr.NextPollAt) {
				t.Fatalf("next_poll_due %s (%v), want the create's %s", due, ok, tr.NextPollAt)
			}
			if jobs := pollJobs(t, e); len(jobs) != 0 {
				t.Fatalf("the create queued poll jobs %v; want none", jobs)
			}
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d first polls, want 1", n)
			}
			if c.callCount() != 1 {
				t.Errorf("the carrier was asked %d times, want once", c.callCount())
			}
			got := e.get(t, e.org.ID, tr.ID)
			if got.Tag != waybill.TagInTransit || got.TrackedCount != 1 {
				t.Errorf("after its first poll: %s, tracked %d times; want InTransit, 1", got.Tag, got.TrackedCount)
			}
			if !got.NextPollAt.After(e.now) {
				t.Fatalf("next poll at %s, want after %s", got.NextPollAt, e.now)
			}
			if due, ok := pollDue(t, e, tr.ID); !ok || !due.Equal(got.NextPollAt) {
				t.Errorf("next_poll_due %s (%v) after the poll, want the next poll's %s", due, ok, got.NextPollAt)
			}
			if jobs := pollJobs(t, e); len(jobs) != 0 {
				t.Errorf("poll jobs after the first poll: %v, want none", jobs)
			}
			e.now = got.NextPollAt.Add(-time.Millisecond)
			if n := claimOnce(t, f); n != 0 {
				t.Errorf("claimed %d polls before the next one was due", n)
			}
			e.now = got.NextPollAt
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d polls once the next one was due, want 1", n)
			}
			second := e.get(t, e.org.ID, tr.ID)
			if c.callCount() != 2 || second.TrackedCount != 2 || !second.NextPollAt.After(e.now) {
				t.Errorf("after the later poll: carrier asked %d times, tracked %d, next at %s; want 2, 2, after %s",
					c.callCount(), second.TrackedCount, second.NextPollAt, e.now)
			}
			if due, ok := pollDue(t, e, tr.ID); !ok || !due.Equal(second.NextPollAt) {
				t.Errorf("next_poll_due %s (%v) after the later poll, want %s", due, ok, second.NextPollAt)
			}
			if jobs := pollJobs(t, e); len(jobs) != 0 {
				t.Errorf("poll jobs after the later poll: %v, want none", jobs)
			}
		})
	}
}

// waitNextPollInRow waits until tr's poll has been made (its tracked
// count is past was) and its row holds the next poll's time.
func waitNextPollInRow(t *testing.T, e *pollEnv, tr waybill.Tracking, was int) {
	t.Helper()
	stop := time.Now().Add(time.Minute)
	for {
		got := e.get(t, tr.OrgID, tr.ID)
		due, ok := pollDue(t, e, tr.ID)
		if got.TrackedCount > was && ok && due.Equal(got.NextPollAt) {
			return
		} else if time.Now().After(stop) {
			t.Fatalf("%s: tracked %d, next_poll_due %s (%v), next poll %s: the poll's next poll is not in the row",
				tr.TrackingNumber, got.TrackedCount, due, ok, got.NextPollAt)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// reportingCarrier answers transitScan and reports each number it is
// asked about on polled.
func reportingCarrier() (c *scriptedCarrier, polled <-chan string) {
	ch := make(chan string, 4)
	return &scriptedCarrier{answer: func(req carrier.FetchRequest) (carrier.FetchResult, error) {
		ch <- req.TrackingNumber
		return transitScan(req)
	}}, ch
}

// TestFirstPollsRun: the loop started as waybill serve starts it polls a
// new tracking, woken by the create; on SQLite it first polls what a
// previous process claimed and left.
func TestFirstPollsRun(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c, polled := reportingCarrier()
			e, f := newFirstPollEnv(t, engine, "royal-mail", c)
			f.Poll = time.Hour // only the create's wake-up starts a claim after the first
			// A first poll a previous process claimed and never made: its
			// lease never ends on this clock, but on SQLite (one process)
			// Run releases it at start.
			left := e.create(t, e.org.ID, "royal-mail", "AB000000000GB")
			if keys, err := e.st.Write().ClaimPolls(context.Background(), e.now, tracking.FirstPollLease, 10); err != nil || len(keys) != 1 {
				t.Fatalf("claim: %v %v", keys, err)
			}
			claims, stop := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { f.Run(claims, context.Background()); close(done) }()
			defer func() { stop(); <-done; _ = f.Wait(context.Background()) }()
			numbers := []string{"AB123456789GB", "AB123456790GB"}
			if engine == store.SQLite {
				numbers = append([]string{left.TrackingNumber}, numbers...)
			}
			for _, number := range numbers {
				tr := left
				if number != left.TrackingNumber {
					tr = e.create(t, e.org.ID, "royal-mail", number)
				}
				select {
				case got := <-polled:
					if got != number {
						t.Fatalf("polled %s, want %s", got, number)
					}
				case <-time.After(time.Minute):
					t.Fatalf("%s was not polled", number)
				}
				waitNextPollInRow(t, e, tr, 0)
			}
		})
	}
}

// TestFirstPollFailedAndSnoozed: a first poll that cannot run (its
// context ended) is claimable again after a backoff that doubles, and
// runs when claimed then; one whose connection must wait is claimable
// again when the carrier's wait ends, without a poll in between.
func TestFirstPollFailedAndSnoozed(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			limited := false
			c := &scriptedCarrier{answer: func(req carrier.FetchRequest) (carrier.FetchResult, error) {
				if limited {
					return carrier.FetchResult{}, &carrier.TemporaryError{Reason: "rate limited", RetryAfter: 10 * time.Minute}
				}
				return transitScan(req)
			}}
			e, f := newFirstPollEnv(t, engine, "dhl", c)
			if _, err := e.svc.CreateConnection(ctx, e.org.ID, "dhl", map[string]string{"api_key": "k"}); err != nil {
				t.Fatal(err)
			}
			tr := e.create(t, e.org.ID, "dhl", "1234567890")

			// A poll that cannot run: claimable again in 5 s, then 10 s.
			dead, cancel := context.WithCancel(ctx)
			cancel()
			var waits []time.Duration
			for range 2 {
				if n, err := f.ClaimDueOnce(dead, 10); err != nil || n != 1 {
					t.Fatalf("claimed %d (%v), want 1", n, err)
				}
				again, ok := pollDue(t, e, tr.ID)
				if !ok {
					t.Fatal("a first poll that failed to run was dropped")
				}
				waits = append(waits, again.Sub(e.now))
				if n := claimOnce(t, f); n != 0 {
					t.Fatalf("claimed %d before its backoff ended", n)
				}
				e.now = again
			}
			if waits[0] != 5*time.Second || waits[1] != 10*time.Second {
				t.Errorf("a failed first poll is claimable again after %v, want 5s then 10s", waits)
			}
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d, want 1", n)
			}
			if got := e.get(t, e.org.ID, tr.ID); got.Tag != waybill.TagInTransit {
				t.Errorf("after the first poll ran: %s, want InTransit", got.Tag)
			}
			if due, ok := pollDue(t, e, tr.ID); !ok || !due.Equal(e.get(t, e.org.ID, tr.ID).NextPollAt) {
				t.Errorf("next_poll_due %s (%v), want the next poll's time", due, ok)
			}

			// A poll whose connection must wait 10 minutes.
			limited = true
			calls := c.callCount()
			tr = e.create(t, e.org.ID, "dhl", "1234567891")
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d, want 1", n)
			}
			due, ok := pollDue(t, e, tr.ID)
			if wait := due.Sub(e.now); !ok || wait < 10*time.Minute || wait > 10*time.Minute*5/4 {
				t.Fatalf("a snoozed first poll is claimable again in %s (%v), want 10m to 12m30s", wait, ok)
			}
			e.now = e.now.Add(5 * time.Minute)
			if n := claimOnce(t, f); n != 0 || c.callCount() != calls+1 {
				t.Fatalf("claimed %d during the wait (carrier asked %d times, want %d)", n, c.callCount(), calls+1)
			}
			if got := e.get(t, e.org.ID, tr.ID); got.TrackedCount != 0 {
				t.Errorf("the snoozed poll changed the tracking: tracked %d", got.TrackedCount)
			}
		})
	}
}

// TestFirstPollLeaseLapses: a claim whose claimer died is claimed again
// once its lease ends, not before; and a claimer whose lease lapsed while
// it polled (another took the claim and polled) applies nothing.
func TestFirstPollLeaseLapses(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			_, e, f := newTransitPollEnv(t, engine)
			tr := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			// A claimer that dies before it polls.
			keys, err := e.st.Write().ClaimPolls(ctx, e.now, tracking.FirstPollLease, 10)
			if err != nil || len(keys) != 1 || keys[0] != (store.PollKey{OrgID: e.org.ID, ID: tr.ID}) {
				t.Fatalf("claim: %v %v", keys, err)
			}
			deadUntil := e.now.Add(tracking.FirstPollLease)
			e.now = deadUntil.Add(-time.Second)
			if n := claimOnce(t, f); n != 0 {
				t.Fatalf("claimed %d within another claim's lease", n)
			}
			e.now = deadUntil
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d once the lease ended, want 1", n)
			}
			got := e.get(t, e.org.ID, tr.ID)
			if got.TrackedCount != 1 || got.Tag != waybill.TagInTransit {
				t.Fatalf("after the claim taken again: tracked %d, %s", got.TrackedCount, got.Tag)
			}
			// The dead claimer wakes up and polls under its lapsed claim.
			tracking.PollClaimed(f, ctx, keys[0], deadUntil)
			if again := e.get(t, e.org.ID, tr.ID); again.TrackedCount != 1 || !again.NextPollAt.Equal(got.NextPollAt) {
				t.Errorf("a lapsed claim's poll was applied: tracked %d, next %s (was %s)", again.TrackedCount, again.NextPollAt, got.NextPollAt)
			}
			if due, ok := pollDue(t, e, tr.ID); !ok || !due.Equal(got.NextPollAt) {
				t.Errorf("next_poll_due %s (%v), want the applied poll's next %s", due, ok, got.NextPollAt)
			}
		})
	}
}

// TestStoppedTrackingLeavesTheSchedule: a tracking completed before its
// poll gives up its poll to claim at once (its row leaves the index), so
// nothing is claimed and the carrier is not asked; a tracking a poll
// finds delivered has no next poll either.
func TestStoppedTrackingLeavesTheSchedule(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c := &scriptedCarrier{answer: func(req carrier.FetchRequest) (carrier.FetchResult, error) {
				return carrier.FetchResult{Checkpoints: []waybill.Checkpoint{{
					CheckpointTime: req.CreatedAt.Add(time.Hour).Format(time.RFC3339), Message: "Delivered",
					Tag: waybill.TagDelivered, Subtag: "Delivered_001"}}}, nil
			}}
			e, f := newFirstPollEnv(t, engine, "royal-mail", c)
			tr := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			if _, err := e.svc.MarkCompleted(context.Background(), e.org.ID, tr.ID, "LOST"); err != nil {
				t.Fatal(err)
			}
			if due, ok := pollDue(t, e, tr.ID); ok {
				t.Errorf("next_poll_due %s after the tracking was completed, want none", due)
			}
			if n := claimOnce(t, f); n != 0 || c.callCount() != 0 {
				t.Fatalf("claimed %d, carrier asked %d times; want none and none", n, c.callCount())
			}

			delivered := e.create(t, e.org.ID, "royal-mail", "AB123456790GB")
			if n := claimOnce(t, f); n != 1 || c.callCount() != 1 {
				t.Fatalf("claimed %d, carrier asked %d times; want 1 and 1", n, c.callCount())
			}
			if got := e.get(t, e.org.ID, delivered.ID); got.Tag != waybill.TagDelivered {
				t.Fatalf("after the poll: %s, want Delivered", got.Tag)
			}
			if due, ok := pollDue(t, e, delivered.ID); ok {
				t.Errorf("next_poll_due %s after the poll found it delivered, want none", due)
			}
		})
	}
}

// TestQueuedPollJobsMoveIntoTheRows: poll jobs queued as the release
// before migration 00026 queued them (by a create without ClaimPolls)
// are moved into their trackings' rows when the loop starts, due when
// they were, and the poll is made from the row; no poll job is left.
func TestQueuedPollJobsMoveIntoTheRows(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c, polled := reportingCarrier()
			e := newPollEnv(t, engine, "royal-mail", c)
			old := e.create(t, e.org.ID, "royal-mail", "AB123456789GB") // a job, as before
			later := e.create(t, e.org.ID, "royal-mail", "AB123456790GB")
			ctx := context.Background()
			// later's first poll ran as a job, which queued the next.
			if err := e.svc.Poll(ctx, e.org.ID, later.ID, later.NextPollAt); err != nil {
				t.Fatal(err)
			}
			<-polled
			later = e.get(t, e.org.ID, later.ID)
			if jobs := pollJobs(t, e); jobs[queue.PriorityNew] != 2 || jobs[queue.PriorityRoutine] != 1 {
				t.Fatalf("poll jobs %v before the upgrade, want 2 new (one done) and 1 routine", jobs)
			}
			// A job River ran is no longer queued: later's first, the
			// second job of new trackings.
			if _, err := e.st.Writer().ExecContext(ctx, `DELETE FROM river_job WHERE id = (
				SELECT max(id) FROM river_job WHERE kind = 'poll_tracking' AND priority = $1)`, queue.PriorityNew); err != nil {
				t.Fatal(err)
			}
			if jobs := pollJobs(t, e); jobs[queue.PriorityNew] != 1 || jobs[queue.PriorityRoutine] != 1 {
				t.Fatalf("poll jobs %v, want 1 new and 1 routine", jobs)
			}
			// The upgrade: this process claims polls from the rows.
			e.svc.ClaimPolls = true
			f := &tracking.PollClaims{Service: e.svc, Workers: 2, Poll: time.Hour, Jobs: e.svc.Queue.(*queue.Queue)}
			claims, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { f.Run(claims, ctx); close(done) }()
			defer func() { stop(); <-done; _ = f.Wait(ctx) }()
			select {
			case got := <-polled:
				if got != old.TrackingNumber {
					t.Fatalf("polled %s, want %s", got, old.TrackingNumber)
				}
			case <-time.After(time.Minute):
				t.Fatalf("the queued poll of %s was not made", old.TrackingNumber)
			}
			waitNextPollInRow(t, e, old, 0)
			if due, ok := pollDue(t, e, later.ID); !ok || !due.Equal(later.NextPollAt) {
				t.Errorf("%s: next_poll_due %s (%v), want its queued job's %s", later.TrackingNumber, due, ok, later.NextPollAt)
			}
			if jobs := pollJobs(t, e); len(jobs) != 0 {
				t.Errorf("poll jobs %v after the move, want none", jobs)
			}
		})
	}
}

// TestRetrackSchedulesInTheRow: a retrack of a completed tracking puts
// a poll due at once in the tracking's row (no job), which the next
// claim makes.
func TestRetrackSchedulesInTheRow(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			c, e, f := newTransitPollEnv(t, engine)
			done := e.create(t, e.org.ID, "royal-mail", "AB123456789GB")
			e.create(t, e.org.ID, "royal-mail", "AB123456790GB")
			if _, err := e.svc.MarkCompleted(t.Context(), e.org.ID, done.ID, "LOST"); err != nil {
				t.Fatal(err)
			}
			if n := claimOnce(t, f); n != 1 {
				t.Fatalf("claimed %d, want later's first poll", n)
			}
			e.now = e.now.Add(time.Minute)
			if _, err := e.svc.Retrack(t.Context(), e.org.ID, done.ID); err != nil {
				t.Fatal(err)
			}
			if due, ok := pollDue(t, e, done.ID); !ok || !due.Equal(e.now) {
				t.Errorf("next_poll_due %s (%v) after the retrack, want %s", due, ok, e.now)
			}
			if jobs := pollJobs(t, e); len(jobs) != 0 {
				t.Errorf("poll jobs %v, want none", jobs)
			}
			calls := c.callCount()
			if n := claimOnce(t, f); n != 1 || c.callCount() != calls+1 {
				t.Fatalf("claimed %d (carrier asked %d more), want the retracked tracking's poll", n, c.callCount()-calls)
			}
			if got := e.get(t, e.org.ID, done.ID); got.TrackedCount != 1 || got.Tag != waybill.TagInTransit {
				t.Errorf("after the retrack's poll: tracked %d, %s", got.TrackedCount, got.Tag)
			}
		})
	}
}
