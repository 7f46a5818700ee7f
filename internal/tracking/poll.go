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

// schedulePoll records when t's next poll is due, stores t, and queues the
// poll, all in tx.
func (s *Service) schedulePoll(ctx context.Context, tx *store.Tx, t *waybill.Tracking, at time.Time, priority int) error {
	t.NextPollAt = at.UTC().Truncate(time.Microsecond)
	if err := tx.UpdateTracking(ctx, t); err != nil {
		return err
	}
	return s.Queue.EnqueuePoll(ctx, tx.SQL(), t.OrgID, t.ID, t.NextPollAt, priority)
}

// Poll refreshes one tracking from its carrier's connector and schedules
// the next poll with an adaptive cadence. It is the handler of the queue's
// poll job, so it is idempotent: a poll the tracking no longer expects (due
// at another time), or of a tracking that is gone, inactive or finished, does
// nothing. A temporary carrier failure is returned, so the queue retries it
// with backoff.
func (s *Service) Poll(ctx context.Context, orgID int64, id string, due time.Time) error {
	t, err := s.Store.Read().Tracking(ctx, orgID, id)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
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
	req := carrier.FetchRequest{Slug: t.Slug, TrackingNumber: t.TrackingNumber, CourierFields: t.CourierFields, CreatedAt: t.CreatedAt}
	cc, found, err := s.pollCredentials(ctx, t)
	if err != nil {
		return err
	}
	req.Credentials = cc.Credentials
	var fetched carrier.FetchResult
	if found || !needsCredentials(t.Slug) {
		// Without credentials for a carrier that needs them there is no
		// news; the cadence goes on, so credentials added later are used.
		var fetchErr error
		fetched, fetchErr = conn.Fetch(ctx, req)
		if fetchErr != nil && !errors.Is(fetchErr, carrier.ErrNotFound) {
			return fetchErr
		}
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
	return s.Store.WithTx(ctx, func(tx *store.Tx) error {
		t, err := tx.TrackingForUpdate(ctx, orgID, id)
		if err != nil || !t.NextPollAt.Equal(due) {
			return ignoreNotFound(err)
		}
		t.TrackedCount++
		if _, _, err := s.apply(ctx, tx, &t, fetched.News(), now); err != nil {
			return err
		}
		next, ok := waybill.NextPoll(t, t.LastUpdatedAt, now)
		if !ok {
			return nil
		}
		if t.Slug == carrier.SandboxSlug && s.SandboxStep > 0 {
			// Follow the sandbox's accelerated clock until its journey ends.
			if at, more := carrier.SandboxNextScan(t.TrackingNumber, t.CreatedAt, now, s.SandboxStep); more {
				next = at
			}
		}
		return s.schedulePoll(ctx, tx, &t, next, queue.PriorityRoutine)
	})
}

func ignoreNotFound(err error) error {
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	}
	return err
}
