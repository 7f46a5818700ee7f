package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/waybillhq/waybill"
)

// The Onport connector's tables: connections, receipts of webhooks (the
// dedupe), links from Onport dropshipments to Waybill's, and the tracking
// events posted to the Onport face.

const onportConnectionColumns = `public_id, org_id, api_url, token_sealed, hook_token, channel_id, write_tracking_url, write_events, created_at, updated_at`

func onportConnectionNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Onport connection not found.")
}

// InsertOnportConnection stores a new connection; c.ID must be set.
func (q *Queries) InsertOnportConnection(ctx context.Context, c waybill.OnportConnection) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO onport_connections (`+onportConnectionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, c.ID, c.OrgID, c.APIURL, c.SealedToken, c.HookToken, c.ChannelID,
		c.WriteTrackingURL, c.WriteEvents, toMicros(c.CreatedAt), toMicros(c.UpdatedAt)); err != nil {
		return fmt.Errorf("insert onport connection: %w", err)
	}
	return nil
}

// UpdateOnportConnection stores a connection's changeable fields.
func (q *Queries) UpdateOnportConnection(ctx context.Context, c waybill.OnportConnection) error {
	res, err := q.q.ExecContext(ctx, `UPDATE onport_connections SET api_url = $1, token_sealed = $2, write_tracking_url = $3,
		write_events = $4, updated_at = $5 WHERE org_id = $6 AND public_id = $7`, c.APIURL, c.SealedToken, c.WriteTrackingURL,
		c.WriteEvents, toMicros(c.UpdatedAt), c.OrgID, c.ID)
	if err != nil {
		return fmt.Errorf("update onport connection %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return onportConnectionNotFound()
	}
	return nil
}

// DeleteOnportConnection removes a connection with its receipts and links.
func (q *Queries) DeleteOnportConnection(ctx context.Context, orgID int64, id string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM onport_connections WHERE org_id = $1 AND public_id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete onport connection %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return onportConnectionNotFound()
	}
	for _, table := range []string{"onport_receipts", "onport_links"} {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = $1 AND connection_id = $2`, orgID, id); err != nil {
			return fmt.Errorf("delete %s of %s: %w", table, id, err)
		}
	}
	return nil
}

// OnportConnection returns one connection of the organization, or ENOTFOUND.
func (q *Queries) OnportConnection(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error) {
	return scanOnportConnection(q.q.QueryRowContext(ctx, `SELECT `+onportConnectionColumns+` FROM onport_connections
		WHERE org_id = $1 AND public_id = $2`, orgID, id))
}

// OnportConnectionByHook returns the connection a webhook URL names, or
// ENOTFOUND. Like a page token, the hook token alone names its connection.
func (q *Queries) OnportConnectionByHook(ctx context.Context, hookToken string) (waybill.OnportConnection, error) {
	return scanOnportConnection(q.q.QueryRowContext(ctx, `SELECT `+onportConnectionColumns+` FROM onport_connections
		WHERE hook_token = $1`, hookToken))
}

// OnportConnections lists the organization's connections, oldest first.
func (q *Queries) OnportConnections(ctx context.Context, orgID int64) ([]waybill.OnportConnection, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+onportConnectionColumns+` FROM onport_connections WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list onport connections: %w", err)
	}
	defer rows.Close()
	var out []waybill.OnportConnection
	for rows.Next() {
		c, err := scanOnportConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanOnportConnection(row scanner) (waybill.OnportConnection, error) {
	var c waybill.OnportConnection
	var created, updated int64
	err := row.Scan(&c.ID, &c.OrgID, &c.APIURL, &c.SealedToken, &c.HookToken, &c.ChannelID, &c.WriteTrackingURL, &c.WriteEvents, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, onportConnectionNotFound()
	} else if err != nil {
		return c, fmt.Errorf("read onport connection: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// InsertOnportReceipt records a webhook by its dedupe key and reports
// whether it is new; a repeat inserts nothing and reports false.
func (q *Queries) InsertOnportReceipt(ctx context.Context, c waybill.OnportConnection, key string, at int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO onport_receipts (connection_id, dedupe_key, org_id, received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (connection_id, dedupe_key) DO NOTHING`, c.ID, key, c.OrgID, at)
	if err != nil {
		return false, fmt.Errorf("record onport webhook: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OnportLink returns the link of a connection's Onport dropshipment, or
// ENOTFOUND.
func (q *Queries) OnportLink(ctx context.Context, orgID int64, connectionID string, remoteID int64) (waybill.OnportLink, error) {
	l := waybill.OnportLink{ConnectionID: connectionID, RemoteID: remoteID, OrgID: orgID}
	var updated int64
	err := q.q.QueryRowContext(ctx, `SELECT dropshipment_id, tracking_id, updated_at FROM onport_links
		WHERE org_id = $1 AND connection_id = $2 AND remote_id = $3`, orgID, connectionID, remoteID).Scan(&l.DropshipmentID, &l.TrackingID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return l, waybill.Errorf(waybill.ENOTFOUND, "Onport dropshipment %d is not linked.", remoteID)
	} else if err != nil {
		return l, fmt.Errorf("read onport link: %w", err)
	}
	l.UpdatedAt = fromMicros(updated)
	return l, nil
}

// InsertOnportLink stores a new link. A concurrent insert of the same
// Onport dropshipment fails (primary key), so two imports of one
// dropshipment cannot both commit.
func (q *Queries) InsertOnportLink(ctx context.Context, l waybill.OnportLink) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO onport_links (connection_id, remote_id, org_id, dropshipment_id, tracking_id, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, l.ConnectionID, l.RemoteID, l.OrgID, l.DropshipmentID, l.TrackingID, toMicros(l.UpdatedAt)); err != nil {
		return fmt.Errorf("insert onport link: %w", err)
	}
	return nil
}

// UpdateOnportLink stores a link's tracking.
func (q *Queries) UpdateOnportLink(ctx context.Context, l waybill.OnportLink) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE onport_links SET dropshipment_id = $1, tracking_id = $2, updated_at = $3
		WHERE org_id = $4 AND connection_id = $5 AND remote_id = $6`, l.DropshipmentID, l.TrackingID, toMicros(l.UpdatedAt),
		l.OrgID, l.ConnectionID, l.RemoteID); err != nil {
		return fmt.Errorf("update onport link: %w", err)
	}
	return nil
}

// OnportLinksByTracking returns the links to a tracking.
func (q *Queries) OnportLinksByTracking(ctx context.Context, orgID int64, trackingID string) ([]waybill.OnportLink, error) {
	rows, err := q.q.QueryContext(ctx, onportLinksByTrackingSQL, orgID, trackingID)
	if err != nil {
		return nil, fmt.Errorf("links of tracking %s: %w", trackingID, err)
	}
	defer rows.Close()
	var out []waybill.OnportLink
	for rows.Next() {
		l := waybill.OnportLink{OrgID: orgID, TrackingID: trackingID}
		var updated int64
		if err := rows.Scan(&l.ConnectionID, &l.RemoteID, &l.DropshipmentID, &updated); err != nil {
			return nil, fmt.Errorf("read onport link: %w", err)
		}
		l.UpdatedAt = fromMicros(updated)
		out = append(out, l)
	}
	return out, rows.Err()
}

// InsertDropshipmentTrackingEvent stores a tracking event once per
// transaction id: a repeat stores nothing and sets e.ID to the first's.
func (q *Queries) InsertDropshipmentTrackingEvent(ctx context.Context, e *waybill.DropshipmentTrackingEvent) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO dropshipment_tracking_events (org_id, dropshipment_id, transaction_id, status, sub_status,
		status_at, details, city, state, zip, country, action_required, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (org_id, transaction_id) DO NOTHING`, e.OrgID, e.DropshipmentID, e.TransactionID, e.Status, e.SubStatus,
		toMicros(e.StatusAt), e.Details, e.City, e.State, e.Zip, e.Country, e.ActionRequired, toMicros(e.CreatedAt)); err != nil {
		return fmt.Errorf("insert tracking event: %w", err)
	}
	evs, err := q.DropshipmentTrackingEvents(ctx, e.OrgID, []Cond{{Column: "transaction_id", Values: []any{e.TransactionID}}}, Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(evs) == 1 {
		*e = evs[0]
	}
	return nil
}

// DropshipmentTrackingEvents lists the organization's tracking events
// matching conds (columns: id, dropshipment_id, transaction_id, status),
// oldest first.
func (q *Queries) DropshipmentTrackingEvents(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.DropshipmentTrackingEvent, error) {
	return listRows(ctx, q, "dropshipment_tracking_events", trackingEventCols, scanTrackingEvent, orgID, conds, p)
}

const trackingEventCols = `id, org_id, dropshipment_id, transaction_id, status, sub_status, status_at, details, city, state,
	zip, country, action_required, created_at`

func scanTrackingEvent(row scanner) (waybill.DropshipmentTrackingEvent, error) {
	var e waybill.DropshipmentTrackingEvent
	var at, created int64
	if err := row.Scan(&e.ID, &e.OrgID, &e.DropshipmentID, &e.TransactionID, &e.Status, &e.SubStatus, &at, &e.Details, &e.City,
		&e.State, &e.Zip, &e.Country, &e.ActionRequired, &created); err != nil {
		return e, fmt.Errorf("read tracking event: %w", err)
	}
	e.StatusAt, e.CreatedAt = fromMicros(at), fromMicros(created)
	return e, nil
}

// onportLinksByTrackingSQL is OnportLinksByTracking's statement (Warm
// prepares it).
const onportLinksByTrackingSQL = `SELECT connection_id, remote_id, dropshipment_id, updated_at FROM onport_links
		WHERE org_id = $1 AND tracking_id = $2`
