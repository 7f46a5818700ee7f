package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waybillhq/waybill"
)

// InsertTrackings stores new trackings, in the order given, and returns
// for each whether it was inserted; false means the organization already
// had a tracking with its slug and number (nothing was written for it). An
// empty ID or page token is filled in, as InsertTracking does. Give the
// trackings in one order (say slug, then number) in every call, so that
// concurrent calls that share rows take the unique key's locks in that
// order.
//
// On PostgreSQL all of them go in one INSERT ... SELECT FROM unnest(...)
// ON CONFLICT DO NOTHING RETURNING statement, one round trip instead of
// one per tracking (a lone one in InsertTracking's simpler statement).
// Two of the same organization, slug and number insert the first only. On
// SQLite, in process on the single writer, each is a prepared single-row
// insert (faster there than a multi-row one, see sqliteBulk).
func (q *Queries) InsertTrackings(ctx context.Context, ts []*waybill.Tracking) ([]bool, error) {
	return q.insertTrackings(ctx, unencoded(ts), nil)
}

// unencoded returns ts as EncodedTrackings to encode at insert.
func unencoded(ts []*waybill.Tracking) []EncodedTracking {
	es := make([]EncodedTracking, len(ts))
	for i, t := range ts {
		es[i].T = t
	}
	return es
}

// insertTrackings is InsertTrackings that makes each tracking's first poll
// claimable from firstPolls[i] on (ClaimPolls): none when
// firstPolls is nil or firstPolls[i] is zero.
func (q *Queries) insertTrackings(ctx context.Context, es []EncodedTracking, firstPolls []time.Time) ([]bool, error) {
	inserted := make([]bool, len(es))
	firstPoll := func(i int) time.Time {
		if firstPolls == nil {
			return time.Time{}
		}
		return firstPolls[i]
	}
	if q.engine == Postgres && len(es) == 1 {
		err := q.insertEncoded(ctx, es[0], firstPoll(0))
		if err != nil && waybill.ErrorReason(err) != waybill.ReasonTrackingExists {
			return nil, err
		}
		inserted[0] = err == nil
		return inserted, nil
	}
	if q.engine != Postgres {
		// A prepared single-row insert per tracking, then the first polls
		// of those inserted in as few statements as insertRows makes of
		// them (one for a batch of a power of two): the schedule's rows
		// share their statements' work rather than paying one each.
		var schedule [][]any
		for i, e := range es {
			t := e.T
			err := q.insertEncoded(ctx, e, time.Time{})
			if waybill.ErrorReason(err) == waybill.ReasonTrackingExists {
				continue
			} else if err != nil {
				return nil, err
			}
			inserted[i] = true
			if due := firstPoll(i); !due.IsZero() {
				schedule = append(schedule, []any{t.ID, t.OrgID, toMicros(due)})
			}
		}
		if err := q.insertPollSchedule(ctx, schedule); err != nil {
			return nil, err
		}
		return inserted, nil
	}
	if len(es) == 0 {
		return inserted, nil
	}
	ts := make([]*waybill.Tracking, len(es))
	for i := range es {
		if err := es[i].encode(); err != nil {
			return nil, err
		}
		ts[i] = es[i].T
	}
	var (
		publicIDs, slugs, numbers, tags, origins, dests, orderIDs, search, docs, tokens = make([]string, len(ts)),
			make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)),
			make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)),
			make([]string, len(ts))
		orgIDs, created, updated, lastInfo = make([]int64, len(ts)), make([]int64, len(ts)), make([]int64, len(ts)),
			make([]int64, len(ts))
		active, rts = make([]bool, len(ts)), make([]bool, len(ts))
		days        = make([]*int64, len(ts))
		firstDue    = make([]*int64, len(ts))
	)
	at := make(map[string]int, len(ts)) // public id -> index
	for i, t := range ts {
		publicIDs[i], orgIDs[i], slugs[i], numbers[i], tags[i] = t.ID, t.OrgID, t.Slug, t.TrackingNumber, string(t.Tag)
		active[i], origins[i], dests[i], orderIDs[i], search[i] = t.Active, t.OriginCountryISO3, t.DestinationCountryISO3, t.OrderID, es[i].search
		rts[i], created[i], updated[i], docs[i] = t.ReturnToSender, toMicros(t.CreatedAt), toMicros(t.UpdatedAt), es[i].doc
		lastInfo[i], tokens[i] = toMicros(t.LastUpdatedAt), t.PageToken
		if t.DeliveryTime != nil {
			d := int64(*t.DeliveryTime)
			days[i] = &d
		}
		if first := firstPoll(i); !first.IsZero() {
			due := toMicros(first)
			firstDue[i] = &due
		}
		at[t.ID] = i
	}
	// unnest keeps the arrays' order, so the rows are inserted (and their
	// unique key locked) in the order given.
	// The first polls go in poll_schedule in the same statement.
	rows, err := q.q.QueryContext(ctx, `WITH ins AS (INSERT INTO trackings
		(public_id, org_id, slug, tracking_number, tag, active, origin_iso3, destination_iso3, order_id,
		 search_text, return_to_sender, delivery_days, created_at, updated_at, doc, last_info_at, page_token)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],
			$8::text[], $9::text[], $10::text[], $11::boolean[], $12::bigint[], $13::bigint[], $14::bigint[], $15::text[],
			$16::bigint[], $17::text[])
		ON CONFLICT (org_id, slug, tracking_number) DO NOTHING RETURNING public_id, org_id),
		s AS (INSERT INTO poll_schedule (public_id, org_id, due)
			SELECT ins.public_id, ins.org_id, p.due FROM ins JOIN unnest($1::text[], $18::bigint[]) AS p(public_id, due)
			ON p.public_id = ins.public_id WHERE p.due IS NOT NULL)
		SELECT public_id FROM ins`,
		publicIDs, orgIDs, slugs, numbers, tags, active, origins, dests, orderIDs, search, rts, days, created,
		updated, docs, lastInfo, tokens, firstDue)
	if err != nil {
		return nil, fmt.Errorf("insert %d trackings: %w", len(ts), err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("insert %d trackings: %w", len(ts), err)
		}
		i, ok := at[id]
		if !ok {
			rows.Close()
			return nil, fmt.Errorf("insert %d trackings: returned an id not inserted: %s", len(ts), id)
		}
		inserted[i] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("insert %d trackings: %w", len(ts), err)
	}
	return inserted, nil
}

// TrackingKey is a tracking's courier slug and number.
type TrackingKey struct{ Slug, Number string }

// TrackingsByNumbers returns the organization's trackings with those
// couriers and numbers, in one query; keys it has no tracking for are
// absent from the map.
func (q *Queries) TrackingsByNumbers(ctx context.Context, orgID int64, keys []TrackingKey) (map[TrackingKey]waybill.Tracking, error) {
	out := make(map[TrackingKey]waybill.Tracking, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	slugs, numbers := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		slugs[i], numbers[i] = k.Slug, k.Number
	}
	// One probe of the unique key (org_id, slug, tracking_number) per key.
	query := `SELECT t.id, t.public_id, t.org_id, t.created_at, t.updated_at, t.doc, t.page_token
		FROM unnest($2::text[], $3::text[]) AS x(slug, num)
		JOIN trackings t ON t.org_id = $1 AND t.slug = x.slug AND t.tracking_number = x.num`
	if q.engine != Postgres {
		query = `SELECT t.id, t.public_id, t.org_id, t.created_at, t.updated_at, t.doc, t.page_token
			FROM json_each($2) AS s CROSS JOIN trackings t
			WHERE t.org_id = $1 AND t.slug = s.value AND t.tracking_number = json_extract($3, '$[' || s.key || ']')`
	}
	rows, err := q.q.QueryContext(ctx, query, orgID, q.textList(slugs), q.textList(numbers))
	if err != nil {
		return nil, fmt.Errorf("read %d trackings by number: %w", len(keys), err)
	}
	defer rows.Close()
	for rows.Next() {
		t, _, err := scanTracking(rows)
		if err != nil {
			return nil, err
		}
		out[TrackingKey{t.Slug, t.TrackingNumber}] = t
	}
	return out, rows.Err()
}
