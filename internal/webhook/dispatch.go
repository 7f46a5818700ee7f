package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// DeliveryQueue schedules delivery attempts inside a store transaction.
type DeliveryQueue interface {
	// EnqueueDelivery schedules attempt number attempt of one delivery at.
	EnqueueDelivery(ctx context.Context, tx *sql.Tx, orgID, deliveryID int64, attempt int, at time.Time) error
	// EnqueueDeliveries schedules the first attempt of each delivery at,
	// with one insert for all.
	EnqueueDeliveries(ctx context.Context, tx *sql.Tx, orgID int64, deliveryIDs []int64, at time.Time) error
}

// Dispatch stores events and, for every enabled endpoint of the
// organization that receives them (see waybill.WebhookEndpoint.Receives),
// a delivery and its first attempt's job, all in tx: an event exists
// exactly when its deliveries do. All events must be of one organization.
// More than one event go through DispatchMany; one event is inserted with
// one statement, its deliveries with one more, and their jobs with one
// more.
func (s *Service) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	if len(events) != 1 {
		return s.DispatchMany(ctx, tx, events)
	}
	e := &events[0]
	endpoints, seqs, err := tx.Endpoints(ctx, e.OrgID)
	if err != nil {
		return err
	}
	now := s.now()
	eventSeq, err := tx.InsertEvent(ctx, e)
	if err != nil {
		return err
	}
	var to []int64
	for j, ep := range endpoints {
		if ep.Receives(*e) {
			to = append(to, seqs[j])
		}
	}
	if len(to) == 0 {
		return nil
	}
	if s.handsOff() {
		evs := make([]int64, len(to))
		for i := range evs {
			evs[i] = eventSeq
		}
		if handed, err := s.handoffDeliveries(ctx, tx, e.OrgID, evs, to, now, func(int64) *waybill.Event { return e },
			endpointsBySeq(endpoints, seqs)); handed || err != nil {
			return err
		}
	}
	ids, err := tx.InsertDeliveries(ctx, e.OrgID, eventSeq, to, now, s.ClaimFirstAttempts)
	if err != nil {
		return err
	}
	return s.enqueueFirst(ctx, tx, e.OrgID, ids, now)
}

// endpointsBySeq maps each of endpoints by its key (seqs, in the same
// order).
func endpointsBySeq(endpoints []waybill.WebhookEndpoint, seqs []int64) map[int64]waybill.WebhookEndpoint {
	m := make(map[int64]waybill.WebhookEndpoint, len(seqs))
	for i, seq := range seqs {
		m[seq] = endpoints[i]
	}
	return m
}

// DispatchMany is Dispatch for a run of events of one organization (a
// turn's new sales): the events are inserted in their order with one
// multi-row statement per 1,000 (store.InsertEvents), so their keys keep
// the order in which they were produced; then all their deliveries with
// one statement per 1,000, and all the deliveries' jobs with one insert.
// Ids, payloads and deliveries are those of one Dispatch per event. It sets
// each empty event ID in events.
func (s *Service) DispatchMany(ctx context.Context, tx *store.Tx, events []waybill.Event) error {
	if len(events) == 0 {
		return nil
	}
	orgID := events[0].OrgID
	for _, e := range events[1:] {
		if e.OrgID != orgID {
			return fmt.Errorf("dispatch: events of organizations %d and %d in one run", orgID, e.OrgID)
		}
	}
	endpoints, seqs, err := tx.Endpoints(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.now()
	eventSeqs, err := tx.InsertEvents(ctx, events)
	if err != nil {
		return err
	}
	var evs, eps []int64
	for i := range events {
		for j, ep := range endpoints {
			if ep.Receives(events[i]) {
				evs, eps = append(evs, eventSeqs[i]), append(eps, seqs[j])
			}
		}
	}
	if len(evs) == 0 {
		return nil
	}
	if s.handsOff() {
		bySeq := make(map[int64]*waybill.Event, len(events))
		for i := range events {
			bySeq[eventSeqs[i]] = &events[i]
		}
		if handed, err := s.handoffDeliveries(ctx, tx, orgID, evs, eps, now, func(seq int64) *waybill.Event { return bySeq[seq] },
			endpointsBySeq(endpoints, seqs)); handed || err != nil {
			return err
		}
	}
	ids, err := tx.InsertPairDeliveries(ctx, orgID, evs, eps, now, s.ClaimFirstAttempts)
	if err != nil {
		return err
	}
	return s.enqueueFirst(ctx, tx, orgID, ids, now)
}

// enqueueFirst queues the first attempts of new deliveries as jobs, unless
// they are claimed from the deliveries table (ClaimFirstAttempts).
func (s *Service) enqueueFirst(ctx context.Context, tx *store.Tx, orgID int64, ids []int64, now time.Time) error {
	if s.ClaimFirstAttempts {
		s.wakeAfterCommit(tx)
		return nil
	}
	return s.Queue.EnqueueDeliveries(ctx, tx.SQL(), orgID, ids, now)
}

func (s *Service) enqueue(ctx context.Context, tx *store.Tx, orgID, eventSeq, endpointSeq int64, now time.Time) error {
	id, err := tx.InsertDelivery(ctx, orgID, eventSeq, endpointSeq, now, s.ClaimFirstAttempts)
	if err != nil || s.ClaimFirstAttempts {
		if err == nil {
			s.wakeAfterCommit(tx)
		}
		return err
	}
	return s.Queue.EnqueueDelivery(ctx, tx.SQL(), orgID, id, 1, now)
}

// maxReplay bounds one replay of a time range.
const maxReplay = 10_000

// ReplayEvent delivers an event again, as a new delivery with the same
// event id: to one endpoint when endpointID is set, otherwise to every
// enabled endpoint that subscribes to it. It returns how many deliveries it
// queued.
func (s *Service) ReplayEvent(ctx context.Context, orgID int64, eventID, endpointID string) (int, error) {
	n := 0
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		e, eventSeq, err := tx.Event(ctx, orgID, eventID)
		if err != nil {
			return err
		}
		endpoints, seqs, err := tx.Endpoints(ctx, orgID)
		if err != nil {
			return err
		}
		found := endpointID == ""
		for i, ep := range endpoints {
			if endpointID != "" && ep.ID != endpointID {
				continue
			}
			found = true
			if !ep.Enabled || (endpointID == "" && !ep.Receives(e)) {
				continue
			}
			if err := s.enqueue(ctx, tx, orgID, eventSeq, seqs[i], s.now()); err != nil {
				return err
			}
			n++
		}
		if !found {
			return waybill.Errorf(waybill.ENOTFOUND, "Webhook endpoint does not exist.")
		}
		return nil
	})
	return n, err
}

// ReplayRange delivers again to one endpoint every event it subscribes to
// that was created in [since, until), at most 10,000, and returns how many
// deliveries it queued.
func (s *Service) ReplayRange(ctx context.Context, orgID int64, endpointID string, since, until time.Time) (int, error) {
	n := 0
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		ep, epSeq, err := tx.EndpointSeq(ctx, orgID, endpointID)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "The endpoint is disabled; enable it before replaying.")
		}
		events, seqs, err := tx.Events(ctx, orgID, since, until, maxReplay)
		if err != nil {
			return err
		}
		var received []int64
		for i, e := range events {
			if ep.Receives(e) {
				received = append(received, seqs[i])
			}
		}
		if len(received) == 0 {
			return nil
		}
		now := s.now()
		ids, err := tx.InsertEventDeliveries(ctx, orgID, epSeq, received, now, s.ClaimFirstAttempts)
		if err != nil {
			return err
		}
		n = len(ids)
		return s.enqueueFirst(ctx, tx, orgID, ids, now)
	})
	return n, err
}

// Events lists the organization's events created in [since, until).
func (s *Service) Events(ctx context.Context, orgID int64, since, until time.Time, limit int) ([]waybill.Event, error) {
	events, _, err := s.Store.Read().Events(ctx, orgID, since, until, limit)
	return events, err
}

// Attempts lists delivery attempts of one endpoint, or of one event when
// eventID is set, newest first.
func (s *Service) Attempts(ctx context.Context, orgID int64, endpointID, eventID string, limit int) ([]waybill.DeliveryAttempt, error) {
	var epSeq, evSeq int64
	var err error
	if endpointID != "" {
		if _, epSeq, err = s.Store.Read().EndpointSeq(ctx, orgID, endpointID); err != nil {
			return nil, err
		}
	}
	if eventID != "" {
		if _, evSeq, err = s.Store.Read().Event(ctx, orgID, eventID); err != nil {
			return nil, err
		}
	}
	return s.Store.Read().Attempts(ctx, orgID, epSeq, evSeq, limit)
}
