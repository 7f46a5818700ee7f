package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waybillhq/waybill"
)

const connectionColumns = `id, public_id, org_id, slug, credentials, credential_keys, created_at, updated_at`

// InsertConnection stores a courier connection and sets c.ID when it is
// empty. It stores c.Sealed and c.CredentialKeys; c.Credentials, the
// opened secrets, is never written.
func (q *Queries) InsertConnection(ctx context.Context, c *waybill.CourierConnection) error {
	if c.ID == "" {
		c.ID = NewPublicID()
	}
	keys, err := encodeKeys(c.CredentialKeys)
	if err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO courier_connections (public_id, org_id, slug, credentials, credential_keys, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.OrgID, c.Slug, c.Sealed, keys, toMicros(c.CreatedAt), toMicros(c.UpdatedAt)); err != nil {
		return fmt.Errorf("insert courier connection: %w", err)
	}
	return nil
}

// UpdateConnection replaces the sealed credentials (and their key names)
// of a stored connection.
func (q *Queries) UpdateConnection(ctx context.Context, c *waybill.CourierConnection) error {
	keys, err := encodeKeys(c.CredentialKeys)
	if err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE courier_connections SET credentials = $1, credential_keys = $2, updated_at = $3
		WHERE org_id = $4 AND public_id = $5`, c.Sealed, keys, toMicros(c.UpdatedAt), c.OrgID, c.ID)
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

// FirstConnection returns the organization's oldest connection for a
// courier, the one its trackings without a courier_connection_id use, or
// ENOTFOUND when it has none.
func (q *Queries) FirstConnection(ctx context.Context, orgID int64, slug string) (waybill.CourierConnection, error) {
	row := q.q.QueryRowContext(ctx, firstConnectionSQL, orgID, slug)
	c, _, err := scanConnection(row)
	return c, err
}

// EveryConnection calls fn with each stored connection of every
// organization, oldest first, for the start-up check and re-sealing of
// credentials. It is the one read of connections across organizations.
func (q *Queries) EveryConnection(ctx context.Context, fn func(waybill.CourierConnection) error) error {
	var after int64
	for {
		rows, err := q.q.QueryContext(ctx, `SELECT `+connectionColumns+` FROM courier_connections WHERE id > $1 ORDER BY id LIMIT 100`, after)
		if err != nil {
			return fmt.Errorf("list courier connections: %w", err)
		}
		var page []waybill.CourierConnection
		for rows.Next() {
			c, seq, err := scanConnection(rows)
			if err != nil {
				rows.Close()
				return err
			}
			page, after = append(page, c), seq
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("list courier connections: %w", err)
		}
		for _, c := range page {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(page) < 100 {
			return nil
		}
	}
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

func encodeKeys(keys []string) (string, error) {
	if keys == nil {
		keys = []string{}
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return "", fmt.Errorf("encode credential keys: %w", err)
	}
	return string(b), nil
}

func scanConnection(row scanner) (waybill.CourierConnection, int64, error) {
	var c waybill.CourierConnection
	var seq, created, updated int64
	var keys string
	err := row.Scan(&seq, &c.ID, &c.OrgID, &c.Slug, &c.Sealed, &keys, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, 0, connectionNotFound()
	} else if err != nil {
		return c, 0, fmt.Errorf("read courier connection: %w", err)
	}
	if err := json.Unmarshal([]byte(keys), &c.CredentialKeys); err != nil {
		return c, 0, fmt.Errorf("decode credential keys of %s: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, seq, nil
}

// OrgCourier names one organization's courier.
type OrgCourier struct {
	OrgID int64
	Slug  string
}

// ConnectedCouriers returns which of keys have at least one courier
// connection of that organization and courier: those absent from the map
// have none. On PostgreSQL many keys are one statement; otherwise it is
// one probe of the (org_id, slug) index per key.
func (q *Queries) ConnectedCouriers(ctx context.Context, keys []OrgCourier) (map[OrgCourier]bool, error) {
	out := make(map[OrgCourier]bool, len(keys))
	if q.engine == Postgres && len(keys) > 1 {
		orgs, slugs := make([]int64, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			orgs[i], slugs[i] = k.OrgID, k.Slug
		}
		rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT c.org_id, c.slug
			FROM unnest($1::bigint[], $2::text[]) AS k(org_id, slug)
			JOIN courier_connections c ON c.org_id = k.org_id AND c.slug = k.slug`, orgs, slugs)
		if err != nil {
			return nil, fmt.Errorf("read connected couriers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k OrgCourier
			if err := rows.Scan(&k.OrgID, &k.Slug); err != nil {
				return nil, fmt.Errorf("read connected couriers: %w", err)
			}
			out[k] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read connected couriers: %w", err)
		}
		return out, nil
	}
	for _, k := range keys {
		var n int
		err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM courier_connections
			WHERE org_id = $1 AND slug = $2 LIMIT 1) AS c`, k.OrgID, k.Slug).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("read connected couriers: %w", err)
		}
		if n > 0 {
			out[k] = true
		}
	}
	return out, nil
}

// firstConnectionSQL is FirstConnection's statement (Warm prepares it).
const firstConnectionSQL = `SELECT ` + connectionColumns + ` FROM courier_connections
		WHERE org_id = $1 AND slug = $2 ORDER BY id LIMIT 1`
