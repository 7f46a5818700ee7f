package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// InsertInbound stores accepted inbound messages, setting each one's ID,
// Status (pending) and Priority. A manual sale whose external id the
// channel has never sent before (no sale, no earlier message, none earlier
// in msgs) is InboundPriorityNew; everything else is an update. Call it in
// a transaction: the batch commits as one.
func (q *Queries) InsertInbound(ctx context.Context, msgs []*waybill.InboundMessage) error {
	if q.engine == Postgres {
		return q.insertInboundBatch(ctx, msgs)
	}
	// On SQLite each statement is a local call, prepared once (the
	// statement cache), and the cost is the statements run: each message
	// is one insert that classifies it too. Its duplicate check runs in
	// the transaction that holds the messages before it in msgs, so an
	// earlier message with the same external id is seen there, as
	// classifyInbound's batch-local check sees it.
	for _, m := range msgs {
		m.Status = waybill.InboundPending
		if m.Kind != waybill.InboundManualSale || m.ExternalID == "" {
			m.Priority = waybill.InboundPriorityUpdate
			err := q.q.QueryRowContext(ctx, `INSERT INTO inbound_messages (org_id, channel_id, kind, priority, external_id, body, received_at, status)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				m.OrgID, m.ChannelID, m.Kind, m.Priority, m.ExternalID, m.Body, toMicros(m.ReceivedAt), m.Status).Scan(&m.ID)
			if err != nil {
				return fmt.Errorf("insert inbound message: %w", err)
			}
			continue
		}
		err := q.q.QueryRowContext(ctx, `INSERT INTO inbound_messages (org_id, channel_id, kind, priority, external_id, body, received_at, status)
			VALUES ($1, $2, $3, CASE WHEN EXISTS (SELECT 1 FROM sales WHERE channel_id = $2 AND external_id = $4)
				OR EXISTS (SELECT 1 FROM inbound_messages WHERE channel_id = $2 AND kind = $3 AND external_id = $4) THEN $8 ELSE $9 END,
				$4, $5, $6, $7) RETURNING id, priority`,
			m.OrgID, m.ChannelID, m.Kind, m.ExternalID, m.Body, toMicros(m.ReceivedAt), m.Status,
			waybill.InboundPriorityUpdate, waybill.InboundPriorityNew).Scan(&m.ID, &m.Priority)
		if err != nil {
			return fmt.Errorf("insert inbound message: %w", err)
		}
	}
	return nil
}

// classifyInbound makes every message pending and sets its priority: a
// manual sale is new when known reports that its channel never sent its
// external id before (as a sale or a message) and no earlier message of
// msgs carries it; everything else is an update.
func classifyInbound(msgs []*waybill.InboundMessage, known func(channelID int64, externalID string) (bool, error)) error {
	type key struct {
		channel int64
		ext     string
	}
	inBatch := map[key]bool{}
	for _, m := range msgs {
		m.Status = waybill.InboundPending
		m.Priority = waybill.InboundPriorityUpdate
		if m.Kind != waybill.InboundManualSale || m.ExternalID == "" {
			continue
		}
		k := key{m.ChannelID, m.ExternalID}
		if inBatch[k] {
			continue
		}
		inBatch[k] = true
		seen, err := known(m.ChannelID, m.ExternalID)
		if err != nil {
			return err
		}
		if !seen {
			m.Priority = waybill.InboundPriorityNew
		}
	}
	return nil
}

// CountPendingInbound returns how many inbound messages, in every
// organization, wait to be processed.
func (q *Queries) CountPendingInbound(ctx context.Context) (int64, error) {
	var n int64
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_messages WHERE status = $1`, waybill.InboundPending).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending inbound: %w", err)
	}
	return n, nil
}

// PendingInboundChannels returns the channels that have pending messages.
func (q *Queries) PendingInboundChannels(ctx context.Context) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, pendingInboundChannelsSQL, waybill.InboundPending)
	if err != nil {
		return nil, fmt.Errorf("pending inbound channels: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("pending inbound channels: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

const inboundCols = "id, org_id, channel_id, kind, priority, external_id, body, received_at, status, errors, result, processed_at"

func scanInbound(r scanner) (waybill.InboundMessage, error) {
	var m waybill.InboundMessage
	var received, processed int64
	var errs, result string
	if err := r.Scan(&m.ID, &m.OrgID, &m.ChannelID, &m.Kind, &m.Priority, &m.ExternalID, &m.Body, &received, &m.Status,
		&errs, &result, &processed); err != nil {
		return m, fmt.Errorf("read inbound message: %w", err)
	}
	m.ReceivedAt, m.ProcessedAt = fromMicros(received), fromMicros(processed)
	if errs != "" {
		if err := json.Unmarshal([]byte(errs), &m.Errors); err != nil {
			return m, fmt.Errorf("decode inbound errors: %w", err)
		}
	}
	if result != "" {
		m.Result = &waybill.InboundResult{}
		if err := json.Unmarshal([]byte(result), m.Result); err != nil {
			return m, fmt.Errorf("decode inbound result: %w", err)
		}
	}
	return m, nil
}

// PendingInbound returns up to limit pending messages of the channel in
// processing order: new data first, then by arrival.
func (q *Queries) PendingInbound(ctx context.Context, channelID int64, limit int) ([]waybill.InboundMessage, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+inboundCols+` FROM inbound_messages WHERE status = $1 AND channel_id = $2
		ORDER BY priority, id LIMIT $3`, waybill.InboundPending, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("claim inbound messages: %w", err)
	}
	defer rows.Close()
	var out []waybill.InboundMessage
	for rows.Next() {
		m, err := scanInbound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FinishInbound records a message's outcome (done or failed). It gives
// ECONFLICT when the message is no longer pending, so that, run in the same
// transaction as the message's effects, it makes processing exactly-once.
func (q *Queries) FinishInbound(ctx context.Context, id int64, status string, errs []string, result *waybill.InboundResult, now time.Time) error {
	var errText, resultText string
	if len(errs) > 0 {
		b, _ := json.Marshal(errs)
		errText = string(b)
	}
	if result != nil {
		b, _ := json.Marshal(result)
		resultText = string(b)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE inbound_messages SET status = $1, errors = $2, result = $3, processed_at = $4
		WHERE id = $5 AND status = $6`, status, errText, resultText, toMicros(now), id, waybill.InboundPending)
	if err != nil {
		return fmt.Errorf("finish inbound message %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return waybill.Errorf(waybill.ECONFLICT, "inbound message %d is no longer pending", id)
	}
	return nil
}

// InboundFilter selects API log entries. Zero fields select everything.
type InboundFilter struct {
	ChannelID  int64
	Status     string
	Kind       string
	ExternalID string
	Since      time.Time // received at or after
	Until      time.Time // received before
	Limit      int
	Offset     int
}

// InboundLogs lists the organization's inbound messages, newest first.
func (q *Queries) InboundLogs(ctx context.Context, orgID int64, f InboundFilter) ([]waybill.InboundMessage, error) {
	var sb strings.Builder
	args := []any{orgID}
	// The page's keys first, on the (org_id, id) index, then its rows: an
	// offset skips index entries, not messages with their bodies.
	sb.WriteString(`SELECT ` + inboundCols + ` FROM inbound_messages WHERE id IN (SELECT id FROM inbound_messages WHERE org_id = $1`)
	add := func(cond string, v any) {
		args = append(args, v)
		sb.WriteString(" AND " + cond + " $" + strconv.Itoa(len(args)))
	}
	if f.ChannelID != 0 {
		add("channel_id =", f.ChannelID)
	}
	if f.Status != "" {
		add("status =", f.Status)
	}
	if f.Kind != "" {
		add("kind =", f.Kind)
	}
	if f.ExternalID != "" {
		add("external_id =", f.ExternalID)
	}
	if !f.Since.IsZero() {
		add("received_at >=", toMicros(f.Since))
	}
	if !f.Until.IsZero() {
		add("received_at <", toMicros(f.Until))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit, f.Offset)
	fmt.Fprintf(&sb, " ORDER BY id DESC LIMIT $%d OFFSET $%d) ORDER BY id DESC", len(args)-1, len(args))
	rows, err := q.q.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list inbound messages: %w", err)
	}
	defer rows.Close()
	var out []waybill.InboundMessage
	for rows.Next() {
		m, err := scanInbound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Savepoint runs fn inside a savepoint of tx: fn's writes are undone, and
// the transaction stays usable, when fn returns an error.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT inbound_msg"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	hooks := len(t.afterCommit)
	if err := fn(); err != nil {
		t.undoAfterCommit(hooks)
		if _, rbErr := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT inbound_msg"); rbErr != nil {
			return fmt.Errorf("rollback to savepoint: %w (after %w)", rbErr, err)
		}
		_, _ = t.tx.ExecContext(ctx, "RELEASE SAVEPOINT inbound_msg")
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT inbound_msg"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// TryInboundChannelLock takes, for the rest of the transaction, the right
// to process the channel's inbound messages, and reports whether it got
// it. On PostgreSQL it is an advisory lock, so that several instances never
// work one channel at once (which would break its order); on SQLite the
// single writer already serializes, and it always succeeds.
//
// Advisory locks are the database's, not a schema's, so the lock's key
// names the schema (the first on the search path, as the migration lock's
// does) beside the channel: deployments in schemas of their own, whose
// channel ids repeat, never wait for each other's channels. Its first half
// is inboundLockClass in the public schema, the key of every release before
// (so that, during a rolling upgrade of a deployment there, older and newer
// instances still take turns), and a hash of the schema's name elsewhere.
func (t *Tx) TryInboundChannelLock(ctx context.Context, channelID int64) (bool, error) {
	if t.engine != Postgres {
		return true, nil
	}
	var ok bool
	if err := t.tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(`+inboundLockClassSQL+`, $2)`,
		inboundLockClass, int32(channelID)).Scan(&ok); err != nil {
		return false, fmt.Errorf("lock inbound channel %d: %w", channelID, err)
	}
	return ok, nil
}

// inboundLockClass is the first half of an inbound channel lock's key in the
// public schema ("inb"); inboundLockClassSQL, with it as $1, is the first
// half in the current schema.
const (
	inboundLockClass    = 0x696e62
	inboundLockClassSQL = `CASE current_schema() WHEN 'public' THEN $1::int4 ELSE hashtext('waybill inbound ' || current_schema()) END`
)
