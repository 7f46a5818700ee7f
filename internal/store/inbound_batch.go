package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
)

// inboundInsertChunk bounds the rows of one INSERT (8 parameters each,
// well under PostgreSQL's 65,535).
const inboundInsertChunk = 1000

// insertInboundBatch is InsertInbound for PostgreSQL, where every
// statement is a round trip to the server: it classifies a batch with one
// query per channel, takes the batch's ids from the sequence in one query,
// and inserts in multi-row statements, so that a group commit of hundreds
// of messages costs a handful of round trips rather than two per message.
func (q *Queries) insertInboundBatch(ctx context.Context, msgs []*waybill.InboundMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	seen, err := q.knownExternalIDs(ctx, msgs)
	if err != nil {
		return err
	}
	_ = classifyInbound(msgs, func(channelID int64, externalID string) (bool, error) {
		return seen[channelID][externalID], nil
	})

	// The sequence is looked up once (the CTE), not once per id: the
	// lookup is a catalog search at every call (1,000 ids: 2.3–2.7 ms
	// with it per id, 0.3–0.4 ms once; EXPLAIN ANALYZE).
	rows, err := q.q.QueryContext(ctx, `WITH s AS MATERIALIZED (
			SELECT pg_get_serial_sequence('inbound_messages', 'id')::regclass AS seq)
		SELECT nextval(s.seq) FROM s, generate_series(1, $1)`, len(msgs))
	if err != nil {
		return fmt.Errorf("allocate inbound ids: %w", err)
	}
	ids := make([]int64, 0, len(msgs))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("allocate inbound ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("allocate inbound ids: %w", err)
	}
	if len(ids) != len(msgs) {
		return fmt.Errorf("allocate inbound ids: got %d for %d messages", len(ids), len(msgs))
	}
	for i, m := range msgs {
		m.ID = ids[i]
	}

	for start := 0; start < len(msgs); start += inboundInsertChunk {
		chunk := msgs[start:min(start+inboundInsertChunk, len(msgs))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO inbound_messages (id, org_id, channel_id, kind, priority, external_id, body, received_at, status) VALUES `)
		args := make([]any, 0, len(chunk)*9)
		for i, m := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9)
			args = append(args, m.ID, m.OrgID, m.ChannelID, m.Kind, m.Priority, m.ExternalID, m.Body, toMicros(m.ReceivedAt), m.Status)
		}
		if _, err := q.q.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert inbound messages: %w", err)
		}
	}
	return nil
}

// knownExternalIDs returns, per channel, the manual-sale external ids of
// msgs that the channel has sent before: as a sale, or as an earlier
// message.
func (q *Queries) knownExternalIDs(ctx context.Context, msgs []*waybill.InboundMessage) (map[int64]map[string]bool, error) {
	byChannel := map[int64][]string{}
	for _, m := range msgs {
		if m.Kind == waybill.InboundManualSale && m.ExternalID != "" {
			byChannel[m.ChannelID] = append(byChannel[m.ChannelID], m.ExternalID)
		}
	}
	seen := map[int64]map[string]bool{}
	for channel, exts := range byChannel {
		// One index probe per id, whatever the statistics say: with
		// "external_id = ANY($2)", or EXISTS under OR, the planner chose to
		// read every message of the channel, which grew with the table.
		// A LATERAL subquery with LIMIT cannot be turned into a scan.
		rows, err := q.q.QueryContext(ctx, `SELECT x.ext FROM unnest($2::text[]) AS x(ext),
			LATERAL (SELECT 1 FROM sales s WHERE s.channel_id = $1 AND s.external_id = x.ext LIMIT 1) AS hit
			UNION
			SELECT x.ext FROM unnest($2::text[]) AS x(ext),
			LATERAL (SELECT 1 FROM inbound_messages m WHERE m.channel_id = $1 AND m.kind = $3 AND m.external_id = x.ext LIMIT 1) AS hit`,
			channel, exts, waybill.InboundManualSale)
		if err != nil {
			return nil, fmt.Errorf("classify inbound messages: %w", err)
		}
		seen[channel] = map[string]bool{}
		for rows.Next() {
			var ext string
			if err := rows.Scan(&ext); err != nil {
				rows.Close()
				return nil, fmt.Errorf("classify inbound messages: %w", err)
			}
			seen[channel][ext] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, fmt.Errorf("classify inbound messages: %w", err)
		}
	}
	return seen, nil
}
