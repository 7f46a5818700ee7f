package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL, concurrent reads of a token's own page (TrackingPage and
// TrackingPageUnlessSeen without order) are read in batches (groupReads),
// as trackings by id are (trackings_groupread.go): each still from a read
// that began after the call did.
//
// A batch reads its rows from pgx's raw column bytes: each row's Version
// is summed from the bytes as received, and the caller's seen is asked
// there, so a page the face has rendered from that very data costs no
// copy of the document, no string and no scan plan: only the rows of
// pages not seen are made into pageRows.

// pageKey is one call's part of a batch: the token, and the caller's seen
// (nil for none), which the batch's loop calls, on its own goroutine,
// with the Version of the token's row as read.
type pageKey struct {
	token string
	seen  func(PageVersion) bool
}

// pageRead is a token's row as read; found is false when no tracking has
// the token. When the caller's seen reported version, seen is set and row
// is left unset.
type pageRead struct {
	found, seen bool
	version     PageVersion
	row         pageRow
}

// trackingPagesSQL reads the pages of many tokens, each token's row found
// by its own probe of the unique page_token index (LATERAL, OFFSET 0 as
// in trackingsAtGenerationSQL, and the array from a subselect so that the
// statement gets a generic plan as that one does); ord gives the token's
// place.
var trackingPagesSQL = `SELECT k.ord, x.* FROM unnest((SELECT $1::text[])) WITH ORDINALITY AS k(token, ord) CROSS JOIN LATERAL (
	SELECT ` + pageColumns + ` FROM trackings t` + pageJoins + `WHERE t.page_token = k.token OFFSET 0) AS x`

// newPageReads returns the group reads of tokens' pages on the
// PostgreSQL pool db.
func newPageReads(db *sql.DB) *groupReads[pageKey, pageRead] {
	q := &Queries{engine: Postgres, pg: db}
	return &groupReads[pageKey, pageRead]{read: q.trackingPages, loops: trackingReadLoops, maxBatch: trackingReadMaxBatch}
}

// trackingPages reads keys' rows in one statement (through pgx,
// pgxEachRow), into out.
func (q *Queries) trackingPages(ctx context.Context, keys []pageKey, out []pageRead) error {
	if len(keys) == 1 {
		return q.pgxEachRow(ctx, trackingPageQuery(false), []any{keys[0].token}, func(rows pgx.Rows) error {
			return readPageRaw(rows, 0, keys[0].seen, &out[0])
		})
	}
	tokens := make([]string, len(keys))
	for i, k := range keys {
		tokens[i] = k.token
	}
	return q.pgxEachRow(ctx, trackingPagesSQL, []any{tokens}, func(rows pgx.Rows) error {
		i, err := rawOrd(rows, 0, len(keys))
		if err != nil {
			return err
		}
		return readPageRaw(rows, 1, keys[i].seen, &out[i])
	})
}

// The branding columns of pageColumns, after trackingColumns'.
const (
	pageColSettings = trackingColumnCount + iota
	pageColHost
	pageColBrandingUpdated
	pageColCount
)

// readPageRaw reads the current row of rows, whose pageColumns start at
// column from, into r: it sums the row's Version from the raw bytes (the
// same sums as pageVersioner.addRow over the scanned row), asks seen,
// and makes the pageRow only when seen is nil or reports false.
func readPageRaw(rows pgx.Rows, from int, seen func(PageVersion) bool, r *pageRead) error {
	vals := rows.RawValues()
	if len(vals) != from+pageColCount {
		return fmt.Errorf("store: page read returned %d columns, want %d", len(vals), from+pageColCount)
	}
	var t rawTracking
	if err := readRawTracking(rows, from, &t); err != nil {
		return err
	}
	col := vals[from:]
	brandingUpdated := sql.NullInt64{Valid: col[pageColBrandingUpdated] != nil}
	if brandingUpdated.Valid {
		n, err := rawInt(rows, from+pageColBrandingUpdated)
		if err != nil {
			return err
		}
		brandingUpdated.Int64 = n
	}
	ver := newPageVersioner()
	t.addTo(ver)
	ver.addBrandingColumns(nullView(col[pageColSettings]), nullView(col[pageColHost]), brandingUpdated)
	*r = pageRead{found: true, version: ver.sum()}
	if seen != nil && seen(r.version) {
		r.seen = true
		return nil
	}
	r.row = pageRow{trackingRow: t.row(), settings: nullString(col[pageColSettings]), host: nullString(col[pageColHost]),
		brandingUpdated: brandingUpdated}
	return nil
}

// readTokenPage is readPage of a token's own page, read in a batch.
func (q *Queries) readTokenPage(ctx context.Context, seen func(PageVersion) bool, token string) (PageTrackings, error) {
	r, err := q.pageReads.get(ctx, pageKey{token: token, seen: seen})
	if err != nil {
		return PageTrackings{}, fmt.Errorf("read page trackings: %w", err)
	}
	switch {
	case !r.found:
		return q.pageOf(ctx, nil, newPageVersioner(), nil)
	case r.seen:
		return PageTrackings{Version: r.version, Seen: true}, nil
	}
	return q.decodePage(ctx, []pageRow{r.row}, PageTrackings{Version: r.version})
}
