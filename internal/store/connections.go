package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waybillhq/waybill"
)

const connectionColumns = `id, public_id, org_id, slug, credentials, created_at, updated_at`

// InsertConnection stores a courier connection and sets c.ID.
func (q *Queries) InsertConnection(ctx context.Context, c *waybill.CourierConnection) error {
	c.ID = NewPublicID()
	creds, err := json.Marshal(c.Credentials)
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO courier_connections (public_id, org_id, slug, credentials, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.OrgID, c.Slug, string(creds), toMicros(c.CreatedAt), toMicros(c.UpdatedAt)); err != nil {
		return fmt.Errorf("insert courier connection: %w", err)
	}
	return nil
}

// UpdateConnection replaces the credentials of a stored connection.
func (q *Queries) UpdateConnection(ctx context.Context, c *waybill.CourierConnection) error {
	creds, err := json.Marshal(c.Credentials)
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE courier_connections SET credentials = $1, updated_at = $2 WHERE org_id = $3 AND public_id = $4`,
		string(creds), toMicros(c.UpdatedAt), c.OrgID, c.ID)
	if err != nil {
		return fmt.Errorf("update courier connection %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return connectionNotFound()
	}
	return nil
}

// DeleteConnection removes a connection of the organization.
func (q *Queries) DeleteConnection(ctx context.Context, orgID int64, id string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM courier_connections WHERE org_id = $1 AND public_id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete courier connection %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return connectionNotFound()
	}
	return nil
}

// Connection returns one connection of the organization, or ENOTFOUND.
func (q *Queries) Connection(ctx context.Context, orgID int64, id string) (waybill.CourierConnection, error) {
	row := q.q.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM courier_connections WHERE org_id = $1 AND public_id = $2`, orgID, id)
	c, _, err := scanConnection(row)
	return c, err
}

// ListConnections returns the organization's connections, newest first,
// optionally for one courier, at most limit of them, older than beforeSeq
// when it is not 0. next is the beforeSeq of the following page, 0 if none.
func (q *Queries) ListConnections(ctx context.Context, orgID int64, slug string, limit int, beforeSeq int64) (conns []waybill.CourierConnection, total int, next int64, err error) {
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM courier_connections WHERE org_id = $1 AND ($2 = '' OR slug = $2)`,
		orgID, slug).Scan(&total); err != nil {
		return nil, 0, 0, fmt.Errorf("count courier connections: %w", err)
	}
	if beforeSeq <= 0 {
		beforeSeq = 1 << 62
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+connectionColumns+` FROM courier_connections
		WHERE org_id = $1 AND ($2 = '' OR slug = $2) AND id < $3 ORDER BY id DESC LIMIT $4`, orgID, slug, beforeSeq, limit+1)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list courier connections: %w", err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		c, seq, err := scanConnection(rows)
		if err != nil {
			return nil, 0, 0, err
		}
		if len(conns) == limit {
			next = last
			break
		}
		conns, last = append(conns, c), seq
	}
	return conns, total, next, rows.Err()
}

func connectionNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Courier connection does not exist.")
}

func scanConnection(row scanner) (waybill.CourierConnection, int64, error) {
	var c waybill.CourierConnection
	var seq, created, updated int64
	var creds string
	err := row.Scan(&seq, &c.ID, &c.OrgID, &c.Slug, &creds, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, 0, connectionNotFound()
	} else if err != nil {
		return c, 0, fmt.Errorf("read courier connection: %w", err)
	}
	if err := json.Unmarshal([]byte(creds), &c.Credentials); err != nil {
		return c, 0, fmt.Errorf("decode credentials of %s: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, seq, nil
}
