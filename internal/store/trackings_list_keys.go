package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/waybillhq/waybill"
)

// listedRowsQuery reads the rows of the keys in its first argument, a
// JSON array of rowids, newest first. The organization is checked again
// (its second argument), though the keys came from its own rows: a list
// never returns another organization's tracking, whatever the keys.
// NOT INDEXED keeps that check on the row read by rowid: with it as an
// index condition SQLite searched (org_id, id) for each key first.
// It is one statement text for every filter and page size, so it is
// prepared once per connection.
const listedRowsQuery = `SELECT ` + trackingColumns + ` FROM trackings NOT INDEXED
	WHERE id IN (SELECT value FROM json_each($1)) AND org_id = $2 ORDER BY id DESC`

// listByKeys is SQLite's list. It finds the page's keys once, on the
// filter's index, then reads their rows by rowid, the count between the
// two, all three in one read transaction: the page, its next-page cursor
// and its count are of one snapshot of the database.
//
// Between the key query and the row read, the disk starts reading the
// rows' table pages (rowhints.go): a page's rows are scattered over the
// table (an organization's trackings are interleaved with the others'),
// and SQLite would read them one after another, waiting for each. Before
// this (docs/benchmarks/scale.md, sessions 11 and 12), the list ran the
// key query twice, once for the hint and again inside the page's
// statement, with the count and the page each a read of its own, and a
// keyword list, whose keys cost a test of every entry of the
// organization, went without a hint.
func (q *Queries) listByKeys(ctx context.Context, orgID int64, l trackingList) (waybill.TrackingPage, error) {
	if q.reads == nil {
		// Inside a transaction already (or on the writer): its snapshot.
		return q.readByKeys(ctx, orgID, l)
	}
	// A connection of the pool, with BEGIN and COMMIT on it, rather than
	// a database/sql transaction: that one starts a goroutine to watch
	// the context, and waking it cost a small list more CPU than the key
	// query the transaction saves. The connection's own cache of
	// statements (sqlitedriver.go) prepares each query once.
	s := q.reads
	conn, err := s.reader.Conn(ctx)
	if err != nil {
		return waybill.TrackingPage{}, fmt.Errorf("list trackings: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return waybill.TrackingPage{}, fmt.Errorf("list trackings: begin: %w", err)
	}
	var cq querier = conn
	if s.observe != nil {
		cq = observedQuerier{q: conn, see: s.observe}
	}
	tq := &Queries{q: cq, engine: s.engine, listed: s.listed, hints: q.hints}
	page, err := tq.readByKeys(ctx, orgID, l)
	// The read ends whatever happened, even with ctx cancelled: the pool
	// must not get the connection back inside a transaction. A connection
	// whose transaction could not be ended is closed instead.
	if _, endErr := conn.ExecContext(context.WithoutCancel(ctx), "COMMIT"); endErr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = fmt.Errorf("list trackings: end the read: %w", endErr)
		}
	}
	return page, err
}

// readByKeys runs l's key query, hints the reads of their rows, counts,
// and reads the rows by key, all on q.
func (q *Queries) readByKeys(ctx context.Context, orgID int64, l trackingList) (waybill.TrackingPage, error) {
	var page waybill.TrackingPage
	keys, total, err := q.listKeys(ctx, l)
	if err != nil {
		return page, err
	}
	if len(keys) > l.limit {
		keys = keys[:l.limit]
		page.NextSeq = keys[l.limit-1]
	}
	q.hints.hintRows(ctx, q.q, "trackings", keys)
	switch {
	case l.withTotal && (len(keys) > 0 || l.offset == 0):
		page.Total = total
	default:
		// No key to carry the count (past the last page), or a count
		// the keys do not carry.
		if err := q.q.QueryRowContext(ctx, l.countQuery, l.countArgs...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count trackings: %w", err)
		}
	}
	if len(keys) == 0 {
		return page, nil
	}
	rows, err := q.q.QueryContext(ctx, listedRowsQuery, keysJSON(keys), orgID)
	if err != nil {
		return page, fmt.Errorf("list trackings: %w", err)
	}
	defer rows.Close()
	page.Trackings = make([]waybill.Tracking, 0, len(keys))
	for rows.Next() {
		t, _, err := q.scanListedTracking(rows)
		if err != nil {
			return page, err
		}
		page.Trackings = append(page.Trackings, t)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("list trackings: %w", err)
	}
	return page, nil
}

// listKeys runs l's key query: the keys newest first and, when l.withTotal,
// the count they carry.
func (q *Queries) listKeys(ctx context.Context, l trackingList) (keys []int64, total int, err error) {
	rows, err := q.q.QueryContext(ctx, l.keysQuery, l.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list tracking keys: %w", err)
	}
	defer rows.Close()
	keys = make([]int64, 0, l.limit+1)
	dest := []any{new(int64)}
	if l.withTotal {
		dest = append(dest, &total)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("list tracking keys: %w", err)
		}
		keys = append(keys, *dest[0].(*int64))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list tracking keys: %w", err)
	}
	return keys, total, nil
}

// keysJSON writes keys as a JSON array, listedRowsQuery's argument.
func keysJSON(keys []int64) string {
	b := make([]byte, 0, 2+len(keys)*8)
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, k, 10)
	}
	return string(append(b, ']'))
}
