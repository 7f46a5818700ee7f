package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/waybillhq/waybill"
)

// ListedRowsQuery is the statement SQLite's list reads its page's rows by
// key with, for the index test.
const ListedRowsQuery = listedRowsQuery

// ListTrackingsTwoReads is SQLite's list as session 11 left it, kept to
// compare the list with (TestListByKeysMatchesTwoReads) and to measure it
// against (BenchmarkListOneReadPairs): the key query run alone for the
// read-ahead hint (a keyword's not), then the count and the page's
// statement, which finds the keys again, each a read of its own on the
// pool; the hint advises every level of the B-tree, whether its pages are
// in memory or not. q must be a SQLite store's Read().
func ListTrackingsTwoReads(ctx context.Context, q *Queries, orgID int64, f waybill.TrackingFilter) (waybill.TrackingPage, error) {
	l := q.buildList(orgID, f)
	if f.Keyword == "" {
		if keys, err := queryKeys(ctx, q.q, l.keysQuery, l.args...); err == nil {
			// Every level advised, as session 11 did, in memory or not.
			q.hints.hintRowsUnless(ctx, q.q, "trackings", keys, func(readerAt, int64, int64) bool { return false })
		}
	}
	query := fmt.Sprintf(`SELECT %s FROM trackings WHERE id IN (
		%s) ORDER BY id DESC`, trackingColumns, l.keysQuery)
	if l.withTotal {
		query = joinedWithTotal(l.keysQuery)
	}
	return q.listInOneStatement(ctx, l, query)
}

// queryKeys returns the first column of every row of query.
func queryKeys(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k sql.NullInt64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		if k.Valid {
			keys = append(keys, k.Int64)
		}
	}
	return keys, rows.Err()
}
