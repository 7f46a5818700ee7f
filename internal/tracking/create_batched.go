package tracking

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// createWrite is one create queued in a committer's transaction: its
// tracking (id and page token already chosen, so the committer only reads
// it) and its first poll's plan. inserted is set by writeCreates before the
// transaction commits: false means the organization already had the
// tracking's courier and number, and nothing was written for it.
type createWrite struct {
	// enc holds the tracking (enc.T), encoded for its row
	// (store.EncodeTracking) by the create's own goroutine when its plan
	// cannot change it any more; otherwise the insert encodes it.
	enc      store.EncodedTracking
	plan     firstPoll
	inserted *bool
	// claimNow, when set by writeCreates, says the tracking was inserted
	// with a first poll due at once for PollClaims to claim.
	claimNow *bool
	// keyGen, when not nil, is the API key generation the create's key
	// claims to hold under (CreateAtKeyGeneration): writeCreates writes
	// the create only when the transaction reads that generation, and
	// otherwise sets *keyGenMoved and writes nothing for it.
	keyGen      *int64
	keyGenMoved *bool
}

// creates is the committer creates go through as batched writes: the
// one for creates alone (CreateCommit), else the shared one
// (GroupCommit), else none.
func (s *Service) creates() *store.GroupCommitter {
	if s.CreateCommit != nil {
		return s.CreateCommit
	}
	return s.GroupCommit
}

// insertBatched writes t and its first poll as an item of the committer's
// next transaction (store.Write), with the other creates that arrive
// meanwhile: one read of which organizations have connections of the
// creates' couriers (to plan their first polls, planFirstPoll's rules),
// one multi-row tracking insert and one job insert per priority for all
// of them, rather than a read, a savepoint and statements each. It
// returns once that transaction has committed, or the error, and then t
// is as stored; a tracking the organization already has is ECONFLICT, as
// InsertTracking gives, and nothing is written for it.
func (s *Service) insertBatched(ctx context.Context, g *store.GroupCommitter, t *waybill.Tracking, keyGen *int64) error {
	plan := s.planWithoutRead(t)
	if t.CourierConnectionID != "" && plan == pollIfConnected {
		// A named connection is checked as the poll will use it.
		plan = s.planFirstPoll(ctx, t)
	}
	s.createsOnce.Do(func() { s.createWrites.Write = s.writeCreates })
	if t.ID == "" {
		t.ID = store.NewPublicID()
	}
	if t.PageToken == "" {
		t.PageToken = store.NewPageToken()
	}
	enc := store.EncodedTracking{T: t}
	if plan != pollIfConnected {
		// Encoded here, not on the committer's one goroutine that every
		// create of the batch waits for; a plan settled there
		// (planConnected) may still change t.
		var err error
		if enc, err = store.EncodeTracking(t); err != nil {
			return err
		}
	}
	inserted, claimNow, keyGenMoved := new(bool), new(bool), new(bool)
	c := createWrite{enc: enc, plan: plan, inserted: inserted, claimNow: claimNow, keyGen: keyGen, keyGenMoved: keyGenMoved}
	if err := store.Write(ctx, g, &s.createWrites, c); err != nil {
		return err
	}
	if *keyGenMoved {
		return ErrKeyGenerationMoved
	}
	if !*inserted {
		return &waybill.Error{Code: waybill.ECONFLICT, Reason: waybill.ReasonTrackingExists, Message: "Tracking already exists."}
	}
	if *claimNow {
		s.pollsCommitted()
	}
	return nil
}

// insertClaimable is the end of writeCreates with ClaimPolls: the
// trackings es of creates (in that order) inserted with their first polls
// in their rows, claimable from their due time (PollClaims), rather than
// as jobs. A poll due at once (pollAtOnce) is due at the create, so it is
// claimed before the routine ones (pollDone) due later.
func (s *Service) insertClaimable(ctx context.Context, tx *store.Tx, creates []createWrite, es []store.EncodedTracking) error {
	due := make([]time.Time, len(creates))
	for i, c := range creates {
		if c.plan == pollAtOnce || c.plan == pollDone {
			due[i] = c.enc.T.NextPollAt
		}
	}
	ok, err := tx.InsertEncodedTrackings(ctx, es, due)
	if err != nil {
		return err
	}
	for i, c := range creates {
		*c.inserted = ok[i]
		*c.claimNow = ok[i] && c.plan == pollAtOnce
	}
	return nil
}

// keepAtKeyGeneration returns the creates to write: those that claim no
// key generation, and those whose claimed generation is the one tx reads
// (once for the batch, in the transaction that writes them, so after
// each create's request arrived). Each other create is marked
// keyGenMoved and left out: nothing is written for it. The slice
// returned is a new one.
func keepAtKeyGeneration(ctx context.Context, tx *store.Tx, creates []createWrite) ([]createWrite, error) {
	keep := make([]createWrite, 0, len(creates))
	var gen int64
	read := false
	for _, c := range creates {
		if c.keyGen == nil {
			keep = append(keep, c)
			continue
		}
		if !read {
			var err error
			if gen, err = tx.APIKeyGeneration(ctx); err != nil {
				return nil, err
			}
			read = true
		}
		// Set on every run: a batch that failed may run again.
		*c.keyGenMoved = *c.keyGen != gen
		if !*c.keyGenMoved {
			keep = append(keep, c)
		}
	}
	return keep, nil
}

// writeCreates leaves out the creates whose key generation moved
// (keepAtKeyGeneration), settles the first-poll plans that depend on a
// connection (one read for all), inserts the trackings of creates, sorted by
// organization, courier and number (so that concurrent writers, other
// instances and imports included, take the unique key's locks in one
// order), then the first polls of those inserted, and records in each
// create whether its tracking was inserted. Two creates of the same
// tracking in one batch insert it once: the first in that order; the
// other is not inserted.
func (s *Service) writeCreates(ctx context.Context, tx *store.Tx, creates []createWrite) error {
	creates, err := keepAtKeyGeneration(ctx, tx, creates)
	if err != nil {
		return err
	}
	var ask []store.OrgCourier
	for _, c := range creates {
		if c.plan == pollIfConnected {
			k := store.OrgCourier{OrgID: c.enc.T.OrgID, Slug: c.enc.T.Slug}
			if !slices.Contains(ask, k) {
				ask = append(ask, k)
			}
		}
	}
	if len(ask) > 0 {
		connected, err := tx.ConnectedCouriers(ctx, ask)
		if err != nil {
			return err
		}
		for i, c := range creates {
			if c.plan == pollIfConnected {
				creates[i].plan = s.planConnected(c.enc.T, connected[store.OrgCourier{OrgID: c.enc.T.OrgID, Slug: c.enc.T.Slug}])
			}
		}
	}
	slices.SortStableFunc(creates, func(a, b createWrite) int {
		return cmp.Or(cmp.Compare(a.enc.T.OrgID, b.enc.T.OrgID), strings.Compare(a.enc.T.Slug, b.enc.T.Slug),
			strings.Compare(a.enc.T.TrackingNumber, b.enc.T.TrackingNumber))
	})
	es := make([]store.EncodedTracking, len(creates))
	for i, c := range creates {
		es[i] = c.enc
	}
	if s.ClaimPolls {
		return s.insertClaimable(ctx, tx, creates, es)
	}
	ok, err := tx.InsertEncodedTrackings(ctx, es, nil)
	if err != nil {
		return err
	}
	var polls []pollJob
	for i, c := range creates {
		*c.inserted = ok[i]
		if !ok[i] {
			continue
		}
		poll := queue.Poll{OrgID: c.enc.T.OrgID, TrackingID: c.enc.T.ID, Due: c.enc.T.NextPollAt}
		switch c.plan {
		case pollAtOnce:
			polls = append(polls, pollJob{Poll: poll, priority: queue.PriorityNew})
		case pollDone:
			polls = append(polls, pollJob{Poll: poll, priority: queue.PriorityRoutine})
		}
	}
	return s.writePolls(ctx, tx, polls)
}
