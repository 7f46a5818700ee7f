package store

import (
	"context"
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
// this, the list ran the key query twice, once for the hint and again
// inside the page's statement (12 % of a warm cursor walk's CPU:
// docs/benchmarks/scale.md, session 11), and a keyword list, whose keys
// cost a test of every entry of the organization, went without a hint.
func (q *Queries) listByKeys(ctx context.Context, orgID int64, l trackingList) (waybill.TrackingPage, error) {
	if q.reads == nil {
		// Inside a transaction already (or on the writer): its snapshot.
		return q.readByKeys(ctx, orgID, l)
	}
	s := q.reads
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return waybill.TrackingPage{}, fmt.Errorf("list trackings: begin: %w", err)
	}
	// Statements met for the first time inside the transaction are
	// prepared on the pool once it has given its connection back.
	defer s.readStmts.prepareWanted(ctx)
	tq := s.queries(s.reader, tx, s.readStmts)
	tq.hints = q.hints
	page, err := tq.readByKeys(ctx, orgID, l)
	if err != nil {
		_ = tx.Rollback() // a read: nothing to undo
		return page, err
	}
	if err := tx.Commit(); err != nil {
		return waybill.TrackingPage{}, fmt.Errorf("list trackings: end the read: %w", err)
	}
	return page, nil
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
