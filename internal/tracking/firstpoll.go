package tracking

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
)

// firstPoll is what a create queues for its tracking.
type firstPoll int

const (
	// pollAtOnce queues the first poll due at once, to ask the carrier.
	pollAtOnce firstPoll = iota
	// pollDone means the first poll was applied to the tracking at create
	// (pollWithoutCarrier): queue the one after it, at its cadence.
	pollDone
	// pollNever queues nothing: no connector polls this courier.
	pollNever
	// pollIfConnected is not a plan yet: the first poll asks the carrier
	// (pollAtOnce) when the organization has a connection of the
	// courier, and is applied at create (pollDone) when it has none
	// (planWithoutRead).
	pollIfConnected
)

// planWithoutRead is the plan of t's first poll as far as it needs no read
// of the store: pollNever, pollAtOnce, or pollIfConnected.
func (s *Service) planWithoutRead(t *waybill.Tracking) firstPoll {
	var conn carrier.Connector
	if s.Carriers != nil {
		conn, _ = s.Carriers.Lookup(t.Slug)
	}
	switch {
	case conn == nil:
		return pollNever
	case !needsCredentials(t.Slug):
		return pollAtOnce
	}
	return pollIfConnected
}

// planConnected settles a pollIfConnected plan of t: pollAtOnce when the
// organization has a connection of its courier, else the poll applied to
// t (pollWithoutCarrier).
func (s *Service) planConnected(t *waybill.Tracking, connected bool) firstPoll {
	if connected {
		return pollAtOnce
	}
	return s.pollWithoutCarrier(t)
}

// planFirstPoll decides, before t is stored, what its first poll would do,
// and applies it to t when that needs no carrier. A poll that cannot reach
// the carrier is a fixed change of the tracking (Poll): with no connector
// for the courier it does nothing at all; with a connector that needs a
// connection and none in the organization, it counts the poll, finds no
// news and schedules the next poll. Doing that here rather than in a job
// due at once saves the job, the poll's read and its transaction: on
// SQLite about a third of a create's CPU, which a load of API creates of
// a courier without credentials (checkpoints come by push) paid for
// nothing. The tracking ends in the state the poll would have left, a few
// milliseconds earlier; a connection added within those milliseconds is
// used from the next poll on, as it is for any tracking polled before it
// was added.
func (s *Service) planFirstPoll(ctx context.Context, t *waybill.Tracking) firstPoll {
	return s.planFirstPollKnowing(ctx, t, nil)
}

// connectionsFound remembers, for one organization and by courier slug,
// whether it has a connection of that courier, so that a batch of creates
// reads it once per courier rather than once per row.
type connectionsFound map[string]bool

// planFirstPollKnowing is planFirstPoll that answers from found, when not
// nil, whether the organization has a connection for a tracking that names
// none, and records there what it reads.
func (s *Service) planFirstPollKnowing(ctx context.Context, t *waybill.Tracking, found connectionsFound) firstPoll {
	if plan := s.planWithoutRead(t); plan != pollIfConnected {
		return plan
	}
	has, known := found[t.Slug]
	if t.CourierConnectionID != "" || !known {
		var err error
		_, has, err = s.pollCredentials(ctx, *t)
		if err != nil {
			// The poll reports the connection that does not open, or
			// meets the store's failure itself.
			return pollAtOnce
		}
		if found != nil && t.CourierConnectionID == "" {
			found[t.Slug] = has
		}
	}
	return s.planConnected(t, has)
}

// pollWithoutCarrier applies to a new tracking what Poll does when the
// carrier cannot be asked, without its store writes: the count, no news,
// the next poll's time. A change that would raise events (none does for a
// new tracking today) is left to the queued poll, which dispatches them.
func (s *Service) pollWithoutCarrier(t *waybill.Tracking) firstPoll {
	now := t.NextPollAt
	after := *t
	after.TrackedCount++
	if _, events := after.Advance(waybill.News{}, now, s.expireAfter()); len(events) > 0 {
		return pollAtOnce
	}
	next, ok := waybill.NextPoll(after, after.LastUpdatedAt, now)
	if !ok {
		return pollAtOnce
	}
	after.NextPollAt = s.scaled(next, now).UTC().Truncate(time.Microsecond)
	*t = after
	return pollDone
}
