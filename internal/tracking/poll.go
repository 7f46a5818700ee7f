package tracking

import (
	"context"
	"errors"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// schedulePoll records when t's next poll is due, stores t, and schedules
// the poll, all in tx: with ClaimPolls in the poll schedule (store.
// UpdateTrackingNextPoll, with the tracking's write), else as a job of
// the queue.
func (s *Service) schedulePoll(ctx context.Context, tx *store.Tx, t *waybill.Tracking, at time.Time, priority int) error {
	t.NextPollAt = at.UTC().Truncate(time.Microsecond)
	if s.ClaimPolls {
		if err := tx.UpdateTrackingNextPoll(ctx, t, t.NextPollAt); err != nil {
			return err
		}
		s.pollDueSoon(t.NextPollAt)
		return nil
	}
	if err := tx.UpdateTracking(ctx, t); err != nil {
		return err
	}
	return s.enqueuePoll(ctx, tx, t.OrgID, t.ID, t.NextPollAt, priority)
}

// pollDueSoon wakes this process's PollClaims loop for a poll scheduled
// at at if that is now or past: it is claimed once its transaction has
// committed (a wake before the commit finds nothing, and the loop claims
// it at its next turn).
func (s *Service) pollDueSoon(at time.Time) {
	if !at.After(s.now()) {
		s.pollsCommitted()
	}
}

// pollJob is a poll to queue, at a priority.
type pollJob struct {
	queue.Poll
	priority int
}

// enqueuePoll schedules a poll of the tracking inside tx: with ClaimPolls
// in the poll schedule (store.SchedulePolls: unless one is due sooner), else as a
// job of the queue. In a transaction
// shared by the group committer, the polls of all its creates and polls
// are inserted together, in one statement per priority, before it commits
// (store.BatchedWrite): one job insert each was about a quarter of a
// create's CPU on SQLite. Either way the poll commits with tx.
func (s *Service) enqueuePoll(ctx context.Context, tx *store.Tx, orgID int64, trackingID string, at time.Time, priority int) error {
	if s.ClaimPolls {
		if err := tx.SchedulePolls(ctx, []store.PollDue{{OrgID: orgID, ID: trackingID, Due: at}}); err != nil {
			return err
		}
		s.pollDueSoon(at)
		return nil
	}
	s.pollsOnce.Do(func() { s.polls.Write = s.writePolls })
	return s.polls.Add(ctx, tx, pollJob{Poll: queue.Poll{OrgID: orgID, TrackingID: trackingID, Due: at}, priority: priority})
}

// writePolls inserts jobs, one batch per priority, in tx.
func (s *Service) writePolls(ctx context.Context, tx *store.Tx, jobs []pollJob) error {
	for len(jobs) > 0 {
		priority := jobs[0].priority
		var polls []queue.Poll
		rest := jobs[:0]
		for _, j := range jobs {
			if j.priority == priority {
				polls = append(polls, j.Poll)
			} else {
				rest = append(rest, j)
			}
		}
		jobs = rest
		if err := s.Queue.EnqueuePollBatch(ctx, tx.SQL(), polls, priority); err != nil {
			return err
		}
	}
	return nil
}

// Poll refreshes one tracking from its carrier's connector and schedules
// the next poll with an adaptive cadence (schedulePoll: with ClaimPolls in
// the poll schedule, for PollClaims to claim). It is the handler of the
// queue's poll job (those queued before ClaimPolls, by imports, and by
// processes without it), so it is idempotent: a poll the tracking no longer expects (due
// at another time), or of a tracking that is gone, inactive or finished, does
// nothing.
//
// The carrier is asked with the tracking's connection (its
// courier_connection_id, else the organization's first for the courier),
// through that connection's gate (fetchThroughGate): within its rate,
// batched with other polls of the same connection when the connector
// batches. When the connection must wait (its budget is spent, or the
// carrier rate-limited it or failed for a while), Poll returns a snooze
// (s.Snooze) so the queue runs it again later without counting an
// attempt. A number the carrier does not know, a carrier that refuses the
// credentials, or an answer Waybill cannot read are no news: the cadence
// goes on, without retries in between.
func (s *Service) Poll(ctx context.Context, orgID int64, id string, due time.Time) error {
	err := s.poll(ctx, orgID, id, due, nil)
	if wait, ok := err.(errPollSnoozed); ok {
		return s.snooze(wait.wait)
	}
	return err
}

// poll is Poll, with a wait returned as errPollSnoozed (Poll makes it the
// queue's snooze; the claim loop defers its claim). For a poll
// claimed from the poll schedule (claim not nil) the poll is due at the
// tracking's next poll time, whatever due says, and its transaction ends
// the claim with its write of the tracking (store.TrackingUnderPollClaim),
// or writes nothing when the claim is no longer this one (its lease ran out
// and another claimer took it), so that of two claimers that polled, one
// applies the poll. claim.ended tells whether that transaction committed
// the end.
func (s *Service) poll(ctx context.Context, orgID int64, id string, due time.Time, claim *pollClaim) error {
	t, err := s.Store.Read().Tracking(ctx, orgID, id)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if claim != nil {
		due = t.NextPollAt
	}
	if !t.Active || t.Tag.Terminal() || !t.NextPollAt.Equal(due) {
		return nil
	}
	var conn carrier.Connector
	if s.Carriers != nil {
		conn, _ = s.Carriers.Lookup(t.Slug)
	}
	if conn == nil {
		return nil // no connector for this courier: its checkpoints come by push
	}
	fetched, err := s.fetch(ctx, conn, t)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range fetched.Checkpoints {
		c := &fetched.Checkpoints[i]
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.Slug == "" {
			c.Slug = t.Slug
		}
	}
	// Polls due together commit together, with the creates that
	// scheduled them (GroupCommit), rather than an fsync each.
	return s.writeTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var t waybill.Tracking
		var err error
		if claim != nil {
			claim.ended = false
			var ours bool
			if t, ours, err = tx.TrackingUnderPollClaim(ctx, claim.key, claim.until); err != nil || !ours {
				return err
			}
			// The write below ends the claim, whatever it writes.
			claim.ended = true
			if !t.NextPollAt.Equal(due) {
				// Moved by a process that polls by jobs.
				_, err := tx.EndPollClaim(ctx, claim.key, claim.until)
				return err
			}
		} else if t, err = tx.TrackingForUpdate(ctx, orgID, id); err != nil || !t.NextPollAt.Equal(due) {
			return ignoreNotFound(err)
		}
		t.TrackedCount++
		_, _, err = s.applyWrite(ctx, tx, &t, fetched.News(), now, func(t *waybill.Tracking) error {
			return s.writePolled(ctx, tx, t, now)
		})
		return err
	})
}

// writePolled stores t after a poll at now with the time of its next
// poll, if it has one, and schedules that poll (schedulePoll): one write
// of the tracking for the poll's news and the next poll.
func (s *Service) writePolled(ctx context.Context, tx *store.Tx, t *waybill.Tracking, now time.Time) error {
	next, ok := waybill.NextPoll(*t, t.LastUpdatedAt, now)
	if !ok {
		return tx.UpdateTracking(ctx, t) // no poll to claim any more
	}
	next = s.scaled(next, now)
	if t.Slug == carrier.SandboxSlug && s.SandboxStep > 0 {
		// Follow the sandbox's accelerated clock until its journey ends.
		if at, more := carrier.SandboxNextScan(t.TrackingNumber, t.CreatedAt, now, s.SandboxStep); more {
			next = at
		}
	}
	return s.schedulePoll(ctx, tx, t, next, queue.PriorityRoutine)
}

// fetch asks the carrier about t. Its error is one to return from the
// poll: errPollSnoozed when the connection must wait, the context's end,
// or the store's failure; every answer of the carrier that is not news is
// an empty result.
func (s *Service) fetch(ctx context.Context, conn carrier.Connector, t waybill.Tracking) (carrier.FetchResult, error) {
	cc, found, err := s.pollCredentials(ctx, t)
	if err != nil {
		if errors.Is(err, errCredentials) {
			s.logger().Warn("courier connection does not open; polling without news", "slug", t.Slug, "tracking_id", t.ID, "err", err)
			return carrier.FetchResult{}, nil
		}
		return carrier.FetchResult{}, err
	}
	if !found && needsCredentials(t.Slug) {
		// Nothing to ask the carrier with: no news, and the cadence goes
		// on, so that credentials added later are used at the next poll.
		return carrier.FetchResult{}, nil
	}
	key := gateKey{slug: t.Slug}
	if found {
		key.orgID, key.connID = t.OrgID, cc.ID
	}
	req := carrier.FetchRequest{Slug: t.Slug, TrackingNumber: t.TrackingNumber, CourierFields: t.CourierFields,
		Credentials: cc.Credentials, CreatedAt: t.CreatedAt}
	res, wait, err := s.fetchThroughGate(ctx, key, conn, req)
	switch {
	case wait > 0:
		return carrier.FetchResult{}, errPollSnoozed{max(wait, time.Millisecond)}
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return carrier.FetchResult{}, ctx.Err()
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// The batch this poll joined was cut short by another poll's end
		// (shutdown): try again soon rather than lose a cycle.
		return carrier.FetchResult{}, errPollSnoozed{max(jitter(time.Second), time.Millisecond)}
	case errors.Is(err, carrier.ErrNotFound):
		return carrier.FetchResult{}, nil
	}
	s.logger().Warn("carrier poll failed; no news until the next poll", "slug", t.Slug, "tracking_id", t.ID, "err", err)
	return carrier.FetchResult{}, nil
}

// scaled applies PollScale to a poll due at next, computed at now.
func (s *Service) scaled(next, now time.Time) time.Time {
	if s.PollScale <= 0 || s.PollScale == 1 {
		return next
	}
	return now.Add(max(time.Duration(float64(next.Sub(now))*s.PollScale), time.Millisecond))
}

func ignoreNotFound(err error) error {
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	}
	return err
}
