package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/waybillhq/waybill"
)

// ListTrackings returns the organization's trackings that match f, newest
// first. f is taken as validated (waybill.TrackingFilter.Validate): its
// values go to the query as parameters, never into the SQL text.
func (q *Queries) ListTrackings(ctx context.Context, orgID int64, f waybill.TrackingFilter) (waybill.TrackingPage, error) {
	l := q.buildList(orgID, f)
	if q.engine == SQLite {
		return q.listByKeys(ctx, orgID, l)
	}
	return q.listJoined(ctx, l)
}

// buildList builds the statements of the list of orgID's trackings
// that match f.
func (q *Queries) buildList(orgID int64, f waybill.TrackingFilter) trackingList {
	where := []string{"org_id = $1"}
	args := []any{orgID}
	add := func(cond string, vals ...any) {
		for i := range vals {
			cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)+i+1), 1)
		}
		where = append(where, cond)
		args = append(args, vals...)
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")
		anyVals := make([]any, len(vals))
		for i, v := range vals {
			anyVals[i] = v
		}
		add(col+" IN ("+marks+")", anyVals...)
	}
	if f.Keyword != "" {
		add(`search_text LIKE ? ESCAPE '\'`, "%"+strings.ToLower(escapeLike(f.Keyword))+"%")
	}
	in("tracking_number", f.TrackingNumbers)
	in("slug", f.Slugs)
	in("tag", f.Tags)
	in("origin_iso3", f.Origins)
	in("destination_iso3", f.Destinations)
	in("destination_iso3", f.CourierDestinations)
	if f.OrderID != "" {
		// order_id <> '' in the text lets SQLite use trackings_org_order,
		// which holds only the trackings with an order id.
		add("order_id = ? AND order_id <> ''", f.OrderID)
	}
	if f.DeliveryDays != nil {
		add("delivery_days = ?", int64(*f.DeliveryDays))
	}
	if f.ReturnToSender != nil {
		add("return_to_sender = ?", *f.ReturnToSender)
	}
	if !f.CreatedMin.IsZero() {
		add("created_at >= ?", toMicros(f.CreatedMin))
	}
	if !f.CreatedMax.IsZero() {
		add("created_at <= ?", toMicros(f.CreatedMax))
	}
	if !f.UpdatedMin.IsZero() {
		add("updated_at >= ?", toMicros(f.UpdatedMin))
	}
	if !f.UpdatedMax.IsZero() {
		add("updated_at <= ?", toMicros(f.UpdatedMax))
	}
	cond := strings.Join(where, " AND ")
	from := "trackings"
	if f.Keyword != "" && q.engine == SQLite {
		// The pattern is tested on the (org_id, search_text) index's
		// entries, and only the matching rows are read. Without
		// statistics SQLite prefers walking the organization's rows in
		// id order, which reads every row when the keyword is rare.
		// PostgreSQL reads an index of the same columns: below.
		from = "trackings INDEXED BY trackings_org_search"
	}
	if f.Keyword != "" && q.engine == Postgres {
		// The pattern is tested on the entries of the organization's
		// (org_id, search_text) index, read alone (migration 00024), as on
		// SQLite: the trigram index's cost grows with the whole table (the
		// posting lists of the trigrams every email shares: 4,500 buffers,
		// 90-150 ms for one customer's email at a million trackings, where
		// the organization's 10,000 index entries cost 15 ms). A B-tree
		// entry has a size limit, so that index holds the texts of up to
		// searchIndexedBytes bytes and another the keys of the longer
		// ones; the UNION ALL reads both, each through its own index.
		from = fmt.Sprintf(`(SELECT * FROM trackings WHERE octet_length(search_text) <= %[1]d
			UNION ALL SELECT * FROM trackings WHERE octet_length(search_text) > %[1]d) AS trackings`, searchIndexedBytes)
	}

	l := trackingList{countQuery: "SELECT COUNT(*) FROM " + from + " WHERE " + cond, countArgs: args[:len(args):len(args)]}
	// A keyword's filter tests the pattern on each of the organization's
	// index entries (10,000 at a million trackings in 100 organizations),
	// and the count read them all once more: the page's keys carry the
	// count instead (a window over the same matches), unless the page is
	// after a cursor, whose condition the count leaves out.
	l.withTotal = f.Keyword != "" && f.BeforeSeq == 0
	if f.BeforeSeq > 0 {
		add("id < ?", f.BeforeSeq)
		cond = strings.Join(where, " AND ")
	}
	l.limit, l.offset = max(f.Limit, 1), f.Offset
	l.afterCursor = f.BeforeSeq > 0
	bounds := q.pageBounds(&args, l.limit+1, f.Offset)
	l.args = args
	keyOrder := "id"
	if q.engine == SQLite && hasDateRange(f) {
		// SQLite (3.54, with the statistics ANALYZE keeps) prefers walking
		// the organization's (org_id, id) index newest first, reading each
		// row to test its dates, over a sort of the range's keys: at a
		// million trackings that read thousands of rows per page (46 ms of
		// CPU in the store, 271 ms through HTTP, for a week of 389 rows).
		// "+id" is not a column an index can give the order of, so the
		// plan searches the range's covering index and sorts its keys.
		keyOrder = "+id"
	}
	keyColumns := "id"
	if l.withTotal {
		keyColumns = "id, COUNT(*) OVER () AS total"
	}
	l.keysQuery = fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s DESC %s", keyColumns, from, cond, keyOrder, bounds)
	return l
}

// trackingList is what a tracking list runs, built from its filter.
type trackingList struct {
	// keysQuery returns the keys of the page's trackings newest first,
	// limit+1 of them from offset (one more tells that a next page
	// exists), with args; when withTotal, each with the count of every
	// match, which countQuery then need not give.
	keysQuery string
	args      []any
	withTotal bool
	// countQuery counts the filter's matches, with countArgs (a cursor's
	// condition left out).
	countQuery    string
	countArgs     []any
	limit, offset int
	// afterCursor is set when the page is after a cursor (BeforeSeq),
	// whose condition the count leaves out.
	afterCursor bool
}

// listJoined is PostgreSQL's list: one statement reads the page's keys
// from the filter's index, joins them to their rows and counts the
// filter's matches. The offset is skipped on the filter's index
// (PostgreSQL reads only the index where it covers the filter), and only
// the page's documents are read, instead of offset+limit rows of the
// table.
func (q *Queries) listJoined(ctx context.Context, l trackingList) (waybill.TrackingPage, error) {
	// PostgreSQL plans "id IN (keys)" as a hash of the keys, then the
	// rows, then a sort of the rows, documents and all, back into the
	// keys' order; the join reads the rows in the keys' order and needs
	// neither (0.16-0.19 ms of execution instead of 0.31-0.67 ms for an
	// organization's first page at a million trackings, warm).
	//
	// The count is the page's last column: a subquery that refers to
	// nothing of the outer rows, which PostgreSQL runs once, when the
	// first row is made (an InitPlan), over the same parameters and in
	// the same snapshot as the page. A statement of its own cost a round
	// trip, a snapshot and an executor's start and end in the backend and
	// a query through database/sql in the server, at every list call.
	query := fmt.Sprintf(`SELECT %s, (%s) AS total FROM (%s) AS k
		CROSS JOIN trackings WHERE trackings.id = k.id ORDER BY trackings.id DESC`,
		listedColumns, l.countQuery, l.keysQuery)
	if l.withTotal {
		query = joinedWithTotal(l.keysQuery)
	}
	page, err := q.listCounted(ctx, l, query)
	if err != nil {
		return page, err
	}
	if len(page.Trackings) == 0 && (l.offset > 0 || l.afterCursor) {
		// No row, so no count with it: past the last page, or a cursor
		// past the last match. On the first page without a cursor no row
		// means no match: the count is 0.
		if err := q.q.QueryRowContext(ctx, l.countQuery, l.countArgs...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count trackings: %w", err)
		}
	}
	return page, nil
}

// listCounted reads the page of query, whose rows are those of l's keys
// in their order, each with trackingColumns and the count of l's matches
// after them. Outside a transaction the rows are read through pgx
// (pgxEachRow), each document hashed where pgx received it, so that a
// document the cache of listed documents keeps is neither copied nor
// decoded; in a transaction through q.q.
func (q *Queries) listCounted(ctx context.Context, l trackingList, query string) (waybill.TrackingPage, error) {
	var page waybill.TrackingPage
	var lastSeq int64
	// add appends t (row seq) to the page, or notes that a next page
	// exists (the limit+1st row) and reports done.
	add := func(t waybill.Tracking, seq int64) (done bool) {
		if len(page.Trackings) == l.limit {
			page.NextSeq = lastSeq
			return true
		}
		page.Trackings = append(page.Trackings, t)
		lastSeq = seq
		return false
	}
	if q.pg == nil {
		rows, err := q.q.QueryContext(ctx, query, l.args...)
		if err != nil {
			return page, fmt.Errorf("list trackings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			t, seq, err := q.scanListedTracking(rows, &page.Total)
			if err != nil {
				return page, err
			}
			if add(t, seq) {
				break
			}
		}
		if err := rows.Err(); err != nil {
			return page, fmt.Errorf("list trackings: %w", err)
		}
		return page, nil
	}
	err := q.pgxEachRow(ctx, query, l.args, func(rows pgx.Rows) error {
		var r rawTracking
		if err := readRawTracking(rows, 0, &r); err != nil {
			return fmt.Errorf("read tracking: %w", err)
		}
		total, err := rawInt(rows, trackingColumnCount)
		if err != nil {
			return fmt.Errorf("read tracking count: %w", err)
		}
		page.Total = int(total)
		t, err := q.listed.decodeBytes(r.seq, r.doc)
		if err != nil {
			return fmt.Errorf("decode tracking %s: %w", r.publicID, err)
		}
		t.ID, t.OrgID, t.PageToken = string(r.publicID), r.orgID, string(r.token)
		t.CreatedAt, t.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
		if add(t, r.seq) {
			return errListDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errListDone) {
		return page, fmt.Errorf("list trackings: %w", err)
	}
	return page, nil
}

// errListDone stops the read of a list's rows at the one after its page.
var errListDone = errors.New("store: the page is read")

// joinedWithTotal reads the rows of the keys keysQuery gives with the
// count each carries, newest first. CROSS JOIN keeps SQLite reading the
// keys first (it does not reorder it); PostgreSQL plans it as the inner
// join it is.
func joinedWithTotal(keysQuery string) string {
	return fmt.Sprintf(`SELECT %s, k.total FROM (
		%s) AS k
		CROSS JOIN trackings WHERE trackings.id = k.id ORDER BY trackings.id DESC`,
		listedColumns, keysQuery)
}

// listInOneStatement counts l's matches unless its keys carry the count,
// then reads the page with query, whose rows are those of l's keys, in
// their order, with the count after trackingColumns when l.withTotal.
func (q *Queries) listInOneStatement(ctx context.Context, l trackingList, query string) (waybill.TrackingPage, error) {
	var page waybill.TrackingPage
	if !l.withTotal {
		if err := q.q.QueryRowContext(ctx, l.countQuery, l.countArgs...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count trackings: %w", err)
		}
	}
	var total []any
	if l.withTotal {
		total = []any{&page.Total}
	}
	rows, err := q.q.QueryContext(ctx, query, l.args...)
	if err != nil {
		return page, fmt.Errorf("list trackings: %w", err)
	}
	defer rows.Close()
	var lastSeq int64
	for rows.Next() {
		t, seq, err := q.scanListedTracking(rows, total...)
		if err != nil {
			return page, err
		}
		if len(page.Trackings) == l.limit {
			page.NextSeq = lastSeq
			break
		}
		page.Trackings = append(page.Trackings, t)
		lastSeq = seq
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("list trackings: %w", err)
	}
	if l.withTotal && len(page.Trackings) == 0 && l.offset > 0 {
		// No key, so no count with it: past the last page.
		if err := q.q.QueryRowContext(ctx, l.countQuery, l.countArgs...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count trackings: %w", err)
		}
	}
	return page, nil
}

// pageBounds returns the LIMIT and OFFSET clause of a list's keys. On
// SQLite both are parameters, appended to args: the query's text is the
// same for every page, and its prepared statement is kept once
// (stmtCache, which does not evict). On PostgreSQL they are in the text:
// a statement prepared with them as parameters was planned afresh at
// every call, because the planner's generic plan assumes an unknown LIMIT
// keeps a tenth of the rows and an unknown OFFSET skips another tenth, so
// the plan cache always judged it dearer than a custom one (a quarter of
// the backend's CPU in a v4 list at a million trackings, most of it
// get_relation_info over the table's 18 indexes: docs/benchmarks/scale.md,
// session 9). With the numbers in the text the generic plan costs what
// the custom ones did and is kept from the sixth call of a connection.
// pgx keeps a bounded cache of statements per connection, evicting the
// least recently used, so that the texts of many pages do not grow it.
func (q *Queries) pageBounds(args *[]any, limit, offset int) string {
	if q.engine == Postgres {
		return fmt.Sprintf("LIMIT %d OFFSET %d", limit, offset)
	}
	*args = append(*args, limit, offset)
	return fmt.Sprintf("LIMIT $%d OFFSET $%d", len(*args)-1, len(*args))
}

// listedColumns are trackingColumns named by their table, for the list
// that joins the page's keys to their rows.
var listedColumns = "trackings." + strings.ReplaceAll(trackingColumns, ", ", ", trackings.")

// scanListedTracking is scanTracking with the document decoded through
// the cache of listed documents; the row's columns after trackingColumns
// go to extra.
func (q *Queries) scanListedTracking(row scanner, extra ...any) (waybill.Tracking, int64, error) {
	var (
		seq, orgID       int64
		publicID, doc    string
		created, updated int64
		pageToken        sql.NullString
	)
	if err := row.Scan(append([]any{&seq, &publicID, &orgID, &created, &updated, &doc, &pageToken}, extra...)...); err != nil {
		return waybill.Tracking{}, 0, fmt.Errorf("read tracking: %w", err)
	}
	t, err := q.listed.decode(seq, doc)
	if err != nil {
		return t, 0, fmt.Errorf("decode tracking %s: %w", publicID, err)
	}
	t.ID, t.OrgID, t.PageToken = publicID, orgID, pageToken.String
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, seq, nil
}

// searchIndexedBytes is the longest search text (in bytes) PostgreSQL's
// trackings_org_search index holds: the predicate of its partial index and
// of trackings_org_search_long (migration 00024), which the keyword list
// repeats so that the planner can use them. A B-tree entry must stay under
// about 2,700 bytes.
const searchIndexedBytes = 2000

// escapeLike makes LIKE wildcards in a keyword match themselves.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// hasDateRange reports whether f bounds the created or the updated time.
func hasDateRange(f waybill.TrackingFilter) bool {
	return !f.CreatedMin.IsZero() || !f.CreatedMax.IsZero() || !f.UpdatedMin.IsZero() || !f.UpdatedMax.IsZero()
}
