package tracking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// MaxBatch is the most rows CreateBatch takes in one call.
const MaxBatch = 1000

// BatchOutcome is what became of one row of a batch.
type BatchOutcome string

// The outcomes of a batch row.
const (
	// BatchCreated: the row made a new tracking.
	BatchCreated BatchOutcome = "created"
	// BatchExists: the organization already had a tracking with the row's
	// courier and number (stored before, or made by an earlier row of the
	// same batch); nothing was written for the row.
	BatchExists BatchOutcome = "exists"
	// BatchRejected: the row broke a rule of a create; nothing was written
	// for it.
	BatchRejected BatchOutcome = "rejected"
)

// BatchResult is what became of one row, at the row's index.
type BatchResult struct {
	Outcome BatchOutcome
	// Tracking is the tracking created, or the one that already existed
	// (its ID, Slug and TrackingNumber at least); zero when rejected.
	Tracking waybill.Tracking
	// Err is why the row was rejected: a coded error (waybill.ErrorCode,
	// ErrorReason, ErrorMessage), as Create would have answered it.
	Err error
}

// CreateBatch creates up to MaxBatch trackings for the organization and
// returns one result per row, in the rows' order. Each row obeys the rules
// of Create (same checks, same courier detection, same required fields);
// a row that breaks one is rejected alone. The rows that pass are written
// in one transaction with their first polls, so the batch is committed
// whole or not at all: an error return means nothing was written and the
// caller may send the same batch again.
//
// The first poll is planned as Create plans it (planFirstPoll): none for a
// courier no connector polls; for a courier whose connector needs a
// connection the organization lacks, the poll is applied to the row at
// create and the next one is scheduled at its cadence (with ClaimPolls in
// its row, else a job at PriorityRoutine); otherwise the poll is queued,
// as a job, due at once at PriorityBulk, so an import
// does not delay trackings created one by one. Whether the organization
// has a connection is read once per courier of the batch.
//
// A batch never makes a duplicate: a row whose courier and number the
// organization already has (or an earlier row of the batch has) is
// BatchExists with that tracking's id. The database's unique key decides,
// so two identical batches sent at once create each tracking once, on
// both engines. More than MaxBatch rows is ETOOLARGE; none is EINVALID.
func (s *Service) CreateBatch(ctx context.Context, orgID int64, rows []CreateInput) ([]BatchResult, error) {
	switch {
	case len(rows) == 0:
		return nil, waybill.Invalid(waybill.ReasonFieldRequired, "trackings is required: send at least one row.")
	case len(rows) > MaxBatch:
		return nil, waybill.Errorf(waybill.ETOOLARGE, "A batch takes at most %d trackings; this one has %d.", MaxBatch, len(rows))
	}
	active, err := s.Activated(ctx, orgID)
	if err != nil {
		return nil, err
	}
	activated := make([]string, len(active))
	for i, c := range active {
		activated[i] = c.Slug
	}

	results := make([]BatchResult, len(rows))
	plans := make([]firstPoll, len(rows))
	found := connectionsFound{}
	firstOf := make(map[string]int, len(rows)) // courier and number -> first row
	var pending []int                          // rows to insert
	for i, in := range rows {
		in.Source = cmpOr(in.Source, "import")
		t, err := s.prepare(ctx, orgID, in, activated)
		if err != nil {
			if waybill.ErrorCode(err) == waybill.EINTERNAL {
				return nil, err
			}
			results[i] = BatchResult{Outcome: BatchRejected, Err: err}
			continue
		}
		key := t.Slug + "\x00" + t.TrackingNumber
		if _, seen := firstOf[key]; seen {
			results[i] = BatchResult{Outcome: BatchCreated, Tracking: t}
			continue // settled after the insert, from the first row
		}
		plans[i] = s.planFirstPollKnowing(ctx, &t, found)
		results[i] = BatchResult{Outcome: BatchCreated, Tracking: t}
		firstOf[key] = i
		pending = append(pending, i)
	}
	// The same order in every batch: concurrent batches that share rows
	// take the unique key's locks in one order, and cannot deadlock.
	slices.SortFunc(pending, func(a, b int) int {
		ta, tb := results[a].Tracking, results[b].Tracking
		if c := strings.Compare(ta.Slug, tb.Slug); c != 0 {
			return c
		}
		return strings.Compare(ta.TrackingNumber, tb.TrackingNumber)
	})

	inserted := make([]BatchResult, len(rows))
	err = s.Store.WithTx(ctx, func(tx *store.Tx) error {
		// The rows in one multi-row insert (on PostgreSQL; see
		// store.InsertTrackings), and the ones that conflicted read back in
		// one query: a round trip per row was most of an import's time on
		// PostgreSQL.
		ts := make([]*waybill.Tracking, len(pending))
		for k, i := range pending {
			t := results[i].Tracking
			ts[k] = &t
		}
		// With ClaimPolls a row whose first poll was applied at create
		// carries the next one in its row (PollClaims), like every later
		// poll; a first poll due at once stays a job, whose priority keeps
		// an import's polls behind the polls of trackings created one by
		// one (the claim takes due polls in the order of their time).
		due := make([]time.Time, len(pending))
		if s.ClaimPolls {
			for k, i := range pending {
				if plans[i] == pollDone {
					due[k] = ts[k].NextPollAt
				}
			}
		}
		ok, err := tx.InsertTrackingsPollDue(ctx, ts, due)
		if err != nil {
			return err
		}
		var conflicted []store.TrackingKey
		var polls []pollJob
		for k, i := range pending {
			t := *ts[k]
			if !ok[k] {
				conflicted = append(conflicted, store.TrackingKey{Slug: t.Slug, Number: t.TrackingNumber})
				continue
			}
			switch plans[i] {
			case pollAtOnce:
				polls = append(polls, pollJob{Poll: queue.Poll{OrgID: orgID, TrackingID: t.ID, Due: t.NextPollAt}, priority: queue.PriorityBulk})
			case pollDone:
				if !s.ClaimPolls {
					polls = append(polls, pollJob{Poll: queue.Poll{OrgID: orgID, TrackingID: t.ID, Due: t.NextPollAt}, priority: queue.PriorityRoutine})
				}
			}
			inserted[i] = BatchResult{Outcome: BatchCreated, Tracking: t}
		}
		existing, err := tx.TrackingsByNumbers(ctx, orgID, conflicted)
		if err != nil {
			return err
		}
		for k, i := range pending {
			if ok[k] {
				continue
			}
			key := store.TrackingKey{Slug: ts[k].Slug, Number: ts[k].TrackingNumber}
			e, found := existing[key]
			if !found {
				// Conflicted, yet not there: only a delete between the two
				// statements does that. The batch can be sent again.
				return fmt.Errorf("tracking %s/%s conflicted on insert but was not found after", key.Slug, key.Number)
			}
			inserted[i] = BatchResult{Outcome: BatchExists, Tracking: e}
		}
		// The first polls in one batched insert per priority: one job
		// insert per row was half of an import's round trips on
		// PostgreSQL.
		return s.writePolls(ctx, tx, polls)
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		if results[i].Outcome == BatchRejected {
			continue
		}
		t := results[i].Tracking
		first := firstOf[t.Slug+"\x00"+t.TrackingNumber]
		if first == i {
			results[i] = inserted[i]
		} else {
			results[i] = BatchResult{Outcome: BatchExists, Tracking: inserted[first].Tracking}
		}
	}
	return results, nil
}
