package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/halves"
)

// NewEventID returns a random (version 4) UUID.
func NewEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// InsertEvent stores an event, setting e.ID when empty, and returns its
// internal key.
func (q *Queries) InsertEvent(ctx context.Context, e *waybill.Event) (int64, error) {
	if e.ID == "" {
		e.ID = NewEventID()
	}
	payload, err := encodeEvent(e)
	if err != nil {
		return 0, fmt.Errorf("encode event: %w", err)
	}
	var seq int64
	err = q.q.QueryRowContext(ctx, insertEventSQL,
		e.ID, e.OrgID, e.Type, e.TrackingID, string(e.Tag), e.FirstTag, string(payload), toMicros(e.CreatedAt), e.ChannelID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert event %s: %w", e.Type, err)
	}
	return seq, nil
}

// InsertEvents stores events in their order, setting each empty ID, with
// one multi-row statement per 1,000 events, and returns their internal
// keys in the same order. The keys increase with the order: a run of
// events keeps the order in which it was produced, as with one InsertEvent
// per event.
func (q *Queries) InsertEvents(ctx context.Context, events []waybill.Event) ([]int64, error) {
	const rowsPerStatement = 1000
	seqs := make([]int64, 0, len(events))
	for from := 0; from < len(events); from += rowsPerStatement {
		batch := events[from:min(len(events), from+rowsPerStatement)]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO events (public_id, org_id, type, tracking_id, tag, first_tag, payload, created_at, channel_id) VALUES `)
		args := make([]any, 0, 9*len(batch))
		index := make(map[string]int, len(batch))
		payloads, err := encodeEvents(batch)
		if err != nil {
			return nil, err
		}
		for i := range batch {
			e, payload := &batch[i], payloads[i]
			if i > 0 {
				sb.WriteString(", ")
			}
			if q.engine == Postgres {
				n := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9)
			} else {
				// Anonymous parameters, bound in order: the driver looks a
				// numbered one's name up in a list as long as the statement's
				// parameters, at each bind (quadratic in the rows).
				sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			}
			args = append(args, e.ID, e.OrgID, e.Type, e.TrackingID, string(e.Tag), e.FirstTag, string(payload), toMicros(e.CreatedAt), e.ChannelID)
			index[e.ID] = i
		}
		if len(index) != len(batch) {
			return nil, fmt.Errorf("insert events: an event id appears twice")
		}
		sb.WriteString(` RETURNING id, public_id`)
		// RETURNING gives no order on either engine: each row comes back
		// with its public id, which places it.
		got := make([]int64, len(batch))
		rows, err := q.q.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("insert %d events: %w", len(batch), err)
		}
		n := 0
		for rows.Next() {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert %d events: %w", len(batch), err)
			}
			i, ok := index[id]
			if !ok {
				rows.Close()
				return nil, fmt.Errorf("insert events: unexpected event %s returned", id)
			}
			got[i] = seq
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert %d events: %w", len(batch), err)
		}
		if n != len(batch) {
			return nil, fmt.Errorf("insert events: %d of %d rows returned", n, len(batch))
		}
		seqs = append(seqs, got...)
	}
	return seqs, nil
}

// StoredEvent returns e as a read of it from the events table gives it
// back (its stored payload decoded): what an attempt made from memory,
// without that read, renders. e must have been inserted (its ID set).
func StoredEvent(e waybill.Event) (waybill.Event, error) {
	payload, err := encodeEvent(&e)
	if err != nil {
		return e, fmt.Errorf("encode event: %w", err)
	}
	r := eventRow{orgID: e.OrgID, channelID: e.ChannelID, payload: string(payload)}
	return r.event()
}

const eventColumns = `id, org_id, payload, channel_id`

// eventRow holds the columns of eventColumns as scanned, so that a query
// that joins events can scan them beside its own.
type eventRow struct {
	seq, orgID, channelID int64
	payload               string
}

func (r *eventRow) dest() []any { return []any{&r.seq, &r.orgID, &r.payload, &r.channelID} }

func (r *eventRow) event() (waybill.Event, error) {
	e, err := decodeEvent(r.payload)
	if err != nil {
		return e, fmt.Errorf("decode event: %w", err)
	}
	e.OrgID, e.ChannelID = r.orgID, r.channelID
	if e.Return != nil {
		e.Return.OrgID = r.orgID
	}
	return e, nil
}

func scanEvent(row scanner) (waybill.Event, int64, error) {
	var r eventRow
	err := row.Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return waybill.Event{}, 0, waybill.Errorf(waybill.ENOTFOUND, "Event does not exist.")
	} else if err != nil {
		return waybill.Event{}, 0, fmt.Errorf("read event: %w", err)
	}
	e, err := r.event()
	if err != nil {
		return e, 0, err
	}
	return e, r.seq, nil
}

// Event returns one event of the organization with its internal key.
func (q *Queries) Event(ctx context.Context, orgID int64, id string) (waybill.Event, int64, error) {
	return scanEvent(q.q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE org_id = $1 AND public_id = $2`, orgID, id))
}

// Events returns the organization's events created in [since, until),
// oldest first, at most limit, with their internal keys.
func (q *Queries) Events(ctx context.Context, orgID int64, since, until time.Time, limit int) ([]waybill.Event, []int64, error) {
	if until.IsZero() {
		until = time.Unix(1<<40, 0)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE org_id = $1 AND created_at >= $2 AND created_at < $3
		ORDER BY id LIMIT $4`, orgID, toMicros(since), toMicros(until), limit)
	if err != nil {
		return nil, nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []waybill.Event
	var seqs []int64
	for rows.Next() {
		e, seq, err := scanEvent(rows)
		if err != nil {
			return nil, nil, err
		}
		out, seqs = append(out, e), append(seqs, seq)
	}
	return out, seqs, rows.Err()
}

// insertEventSQL inserts one event and returns its key (InsertEvent; Warm
// prepares it).
const insertEventSQL = `INSERT INTO events (public_id, org_id, type, tracking_id, tag, first_tag, payload, created_at, channel_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`

// encodeEventsParallelMin is the fewest events that encodeEvents splits
// between two goroutines.
const encodeEventsParallelMin = 16

// encodeEvents sets each empty ID of events and returns their stored
// payloads, in order. A large run is encoded in two halves at once: a
// batch's statement waits for its payloads while the database, which
// serves that batch alone, has nothing to do (the inbound processor's
// sale.dropship events, ~2.4 kB each, were 8 % of its turns).
func encodeEvents(events []waybill.Event) ([][]byte, error) {
	payloads := make([][]byte, len(events))
	err := halves.Work(len(events), encodeEventsParallelMin, func(from, to int) error {
		for i := from; i < to; i++ {
			e := &events[i]
			if e.ID == "" {
				e.ID = NewEventID()
			}
			b, err := encodeEvent(e)
			if err != nil {
				return fmt.Errorf("encode event: %w", err)
			}
			payloads[i] = b
		}
		return nil
	})
	return payloads, err
}
