package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/waybillhq/waybill"
)

// Row locks for read-modify-write transactions.
//
// A transaction that reads a row, changes it in Go and writes it back must
// read it with one of the ForUpdate queries below. On PostgreSQL they lock
// the row (SELECT … FOR UPDATE) until the transaction ends, so that two such
// transactions on the same row take turns and the second reads what the
// first committed, as if they ran one by one; without the lock, under READ
// COMMITTED, both read the same row and the second write silently undoes
// the first (10 parallel recipient adds once kept 4 emails). SQLite
// transactions already take turns on the single writer connection, so there
// the queries are the plain reads.
//
// Lock order, to keep PostgreSQL free of deadlocks: a sale before its
// purchases and dropshipments, and a sale before the trackings of its
// parcels.

// forUpdate adds the row lock to a single-row query on PostgreSQL.
func (q *Queries) forUpdate(query string) string {
	if q.engine == Postgres {
		return query + ` FOR UPDATE`
	}
	return query
}

// TrackingForUpdate is Tracking, locking the row until the transaction
// ends (see "Row locks" above).
func (q *Queries) TrackingForUpdate(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	row := q.q.QueryRowContext(ctx, q.forUpdate(trackingByPublicIDSQL), orgID, id)
	t, _, err := scanTracking(row)
	return t, err
}

// TrackingByNumberForUpdate is TrackingByNumber, locking the row until the
// transaction ends.
func (q *Queries) TrackingByNumberForUpdate(ctx context.Context, orgID int64, slug, number string) (waybill.Tracking, error) {
	row := q.q.QueryRowContext(ctx, q.forUpdate(trackingByNumberSQL), orgID, slug, number)
	t, _, err := scanTracking(row)
	return t, err
}

// SaleForUpdate is Sale, locking the row until the transaction ends. Every
// write to a sale's purchases and dropshipments holds this lock first.
func (q *Queries) SaleForUpdate(ctx context.Context, orgID, id int64) (waybill.Sale, error) {
	s, err := scanSale(q.q.QueryRowContext(ctx, q.forUpdate(`SELECT `+saleCols+` FROM sales WHERE org_id = $1 AND id = $2`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, waybill.Errorf(waybill.ENOTFOUND, "Sale %d does not exist.", id)
	}
	return s, err
}

// SaleByExternalIDForUpdate is SaleByExternalID, locking the row until the
// transaction ends.
func (q *Queries) SaleByExternalIDForUpdate(ctx context.Context, orgID, channelID int64, externalID string) (waybill.Sale, error) {
	s, err := scanSale(q.q.QueryRowContext(ctx, q.forUpdate(`SELECT `+saleCols+` FROM sales
		WHERE org_id = $1 AND channel_id = $2 AND external_id = $3`), orgID, channelID, externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return s, waybill.Errorf(waybill.ENOTFOUND, "Sale %q does not exist.", externalID)
	}
	return s, err
}

// trackingByNumberSQL reads a tracking by its slug and number
// (TrackingByNumberForUpdate adds the lock; Warm prepares it).
const trackingByNumberSQL = `SELECT ` + trackingColumns + ` FROM trackings
		WHERE org_id = $1 AND slug = $2 AND tracking_number = $3`
