package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waybillhq/waybill"
)

const endpointColumns = `id, public_id, org_id, url, events, tags, api_version, secrets, enabled, disabled_reason, failing_since,
	created_at, updated_at, channel_id, headers, pending_hours`

type endpointJSON struct{ events, tags, secrets, headers string }

func endpointArgs(e *waybill.WebhookEndpoint) (endpointJSON, error) {
	ev, err1 := json.Marshal(e.Events)
	tg, err2 := json.Marshal(e.Tags)
	sc, err3 := json.Marshal(e.Secrets)
	hd := []byte("{}")
	var err4 error
	if len(e.Headers) > 0 {
		hd, err4 = json.Marshal(e.Headers)
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return endpointJSON{}, fmt.Errorf("encode webhook endpoint: %w", err)
	}
	return endpointJSON{string(ev), string(tg), string(sc), string(hd)}, nil
}

// InsertEndpointCapped stores a new endpoint of the organization itself
// (not a channel's) and sets e.ID, unless the organization already has max
// such endpoints: then it stores nothing and returns false. The database
// decides, so concurrent creates cannot overshoot the cap. On PostgreSQL
// the organization's row is locked (FOR NO KEY UPDATE, which leaves inserts
// that reference the organization alone) until the transaction ends, so
// creates of one organization take turns and each counts what the others
// committed; on SQLite the transaction holds the single writer. The count
// and the insert are then one statement. Call it in a transaction.
func (q *Queries) InsertEndpointCapped(ctx context.Context, e *waybill.WebhookEndpoint, max int) (bool, error) {
	if e.ChannelID != 0 {
		return false, fmt.Errorf("insert webhook endpoint: a channel's endpoint does not count towards the cap")
	}
	if q.engine == Postgres {
		var id int64
		err := q.q.QueryRowContext(ctx, `SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, e.OrgID).Scan(&id)
		if isNoRows(err) {
			return false, waybill.Errorf(waybill.ENOTFOUND, "Organization does not exist.")
		} else if err != nil {
			return false, fmt.Errorf("lock organization %d: %w", e.OrgID, err)
		}
	}
	id := NewPublicID()
	j, err := endpointArgs(e)
	if err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO webhook_endpoints (public_id, org_id, url, events, tags, api_version, secrets,
		enabled, disabled_reason, failing_since, created_at, updated_at, channel_id, headers, pending_hours)
		SELECT CAST($1 AS TEXT), CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT), CAST($6 AS TEXT),
			CAST($7 AS TEXT), CAST($8 AS BOOLEAN), CAST($9 AS TEXT), CAST($10 AS BIGINT), CAST($11 AS BIGINT), CAST($12 AS BIGINT),
			0, CAST($13 AS TEXT), CAST($15 AS BIGINT)
		WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $2 AND channel_id = 0) < $14`,
		id, e.OrgID, e.URL, j.events, j.tags, e.APIVersion, j.secrets, e.Enabled, e.DisabledReason, toMicros(e.FailingSince),
		toMicros(e.CreatedAt), toMicros(e.UpdatedAt), j.headers, max, e.PendingHours)
	if err != nil {
		return false, fmt.Errorf("insert webhook endpoint: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("insert webhook endpoint: %w", err)
	} else if n == 0 {
		return false, nil
	}
	e.ID = id
	return true, nil
}

// InsertEndpoint stores a new endpoint and sets e.ID.
func (q *Queries) InsertEndpoint(ctx context.Context, e *waybill.WebhookEndpoint) error {
	e.ID = NewPublicID()
	j, err := endpointArgs(e)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO webhook_endpoints (public_id, org_id, url, events, tags, api_version, secrets,
		enabled, disabled_reason, failing_since, created_at, updated_at, channel_id, headers, pending_hours)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.ID, e.OrgID, e.URL, j.events, j.tags, e.APIVersion, j.secrets, e.Enabled, e.DisabledReason, toMicros(e.FailingSince),
		toMicros(e.CreatedAt), toMicros(e.UpdatedAt), e.ChannelID, j.headers, e.PendingHours)
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

// UpdateEndpoint writes every field of e but its channel over the stored
// endpoint.
func (q *Queries) UpdateEndpoint(ctx context.Context, e *waybill.WebhookEndpoint) error {
	j, err := endpointArgs(e)
	if err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $1, events = $2, tags = $3, api_version = $4,
		secrets = $5, enabled = $6, disabled_reason = $7, failing_since = $8, updated_at = $9, headers = $10, pending_hours = $13
		WHERE org_id = $11 AND public_id = $12`,
		e.URL, j.events, j.tags, e.APIVersion, j.secrets, e.Enabled, e.DisabledReason, toMicros(e.FailingSince), toMicros(e.UpdatedAt),
		j.headers, e.OrgID, e.ID, e.PendingHours)
	if err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return endpointNotFound()
	}
	return nil
}

// DeleteEndpoint removes an endpoint with its deliveries and their
// attempts. The deliveries go by their foreign key's cascade; the attempts,
// whose key to their delivery PostgreSQL no longer has (migration 00027),
// are deleted first, by the endpoint, so that both engines do the same.
// Run it in a transaction: the two statements are one deletion.
func (q *Queries) DeleteEndpoint(ctx context.Context, orgID int64, id string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM delivery_attempts WHERE org_id = $1 AND endpoint_id IN (
		SELECT id FROM webhook_endpoints WHERE org_id = $1 AND public_id = $2)`, orgID, id); err != nil {
		return fmt.Errorf("delete webhook endpoint %s: attempts: %w", id, err)
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE org_id = $1 AND public_id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return endpointNotFound()
	}
	return nil
}

// Endpoint returns one endpoint of the organization, or ENOTFOUND.
func (q *Queries) Endpoint(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, error) {
	e, _, err := scanEndpoint(q.q.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 AND public_id = $2`, orgID, id))
	return e, err
}

// EndpointForUpdate is Endpoint inside a transaction that will write the
// endpoint back: on PostgreSQL it locks the row (FOR UPDATE) until the
// transaction ends, so that two read-modify-write transactions (a secret
// rotation and a delivery's bookkeeping, say) take turns instead of one
// silently undoing the other. SQLite transactions already take turns.
func (q *Queries) EndpointForUpdate(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, error) {
	query := `SELECT ` + endpointColumns + ` FROM webhook_endpoints WHERE org_id = $1 AND public_id = $2`
	if q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	e, _, err := scanEndpoint(q.q.QueryRowContext(ctx, query, orgID, id))
	return e, err
}

// EndpointSeq returns an endpoint with its internal key.
func (q *Queries) EndpointSeq(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, int64, error) {
	return scanEndpoint(q.q.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 AND public_id = $2`, orgID, id))
}

// Endpoints returns the organization's endpoints, oldest first, with their
// internal keys.
func (q *Queries) Endpoints(ctx context.Context, orgID int64) ([]waybill.WebhookEndpoint, []int64, error) {
	rows, err := q.q.QueryContext(ctx, endpointsByOrgSQL, orgID)
	if err != nil {
		return nil, nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []waybill.WebhookEndpoint
	var seqs []int64
	for rows.Next() {
		e, seq, err := scanEndpoint(rows)
		if err != nil {
			return nil, nil, err
		}
		out, seqs = append(out, e), append(seqs, seq)
	}
	return out, seqs, rows.Err()
}

// ChannelEndpoint returns the fulfillment endpoint of a channel, or
// ENOTFOUND when the channel has none.
func (q *Queries) ChannelEndpoint(ctx context.Context, orgID, channelID int64) (waybill.WebhookEndpoint, error) {
	e, _, err := scanEndpoint(q.q.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE org_id = $1 AND channel_id = $2 ORDER BY id LIMIT 1`, orgID, channelID))
	return e, err
}

func endpointNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Webhook endpoint does not exist.")
}

// endpointRow holds the columns of endpointColumns as scanned, so that a
// query that joins webhook_endpoints can scan them beside its own.
type endpointRow struct {
	e                              waybill.WebhookEndpoint
	seq, failing, created, updated int64
	ev, tg, sc, hd                 string
}

func (r *endpointRow) dest() []any {
	return []any{&r.seq, &r.e.ID, &r.e.OrgID, &r.e.URL, &r.ev, &r.tg, &r.e.APIVersion, &r.sc, &r.e.Enabled, &r.e.DisabledReason,
		&r.failing, &r.created, &r.updated, &r.e.ChannelID, &r.hd, &r.e.PendingHours}
}

func (r *endpointRow) endpoint() (waybill.WebhookEndpoint, error) {
	e := r.e
	if err := errors.Join(json.Unmarshal([]byte(r.ev), &e.Events), json.Unmarshal([]byte(r.tg), &e.Tags), json.Unmarshal([]byte(r.sc), &e.Secrets),
		json.Unmarshal([]byte(r.hd), &e.Headers)); err != nil {
		return e, fmt.Errorf("decode webhook endpoint %s: %w", e.ID, err)
	}
	e.FailingSince, e.CreatedAt, e.UpdatedAt = fromMicros(r.failing), fromMicros(r.created), fromMicros(r.updated)
	return e, nil
}

func scanEndpoint(row scanner) (waybill.WebhookEndpoint, int64, error) {
	var r endpointRow
	err := row.Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return r.e, 0, endpointNotFound()
	} else if err != nil {
		return r.e, 0, fmt.Errorf("read webhook endpoint: %w", err)
	}
	e, err := r.endpoint()
	if err != nil {
		return e, 0, err
	}
	return e, r.seq, nil
}
