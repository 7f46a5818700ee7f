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

// trackingPagesSQL reads the pages of many tokens: the trackings whose
// page token is one of $1's, in one scan of the unique page_token index
// for the whole array, the array from a subselect so that the statement
// gets a generic plan (as trackingsAtGenerationSQL does, whose shape this
// follows); each row answers the keys of its token. The branding is a
// LATERAL probe of org_pages' key per row (OFFSET 0 keeps it one): as a
// plain join, the generic plan (ten keys estimated) hashed the whole of
// org_pages at every batch, which cost more database CPU per pooled view
// than the probes.
var trackingPagesSQL = `SELECT ` + pageColumns + ` FROM trackings t LEFT JOIN LATERAL (
	SELECT settings, custom_host, updated_at FROM org_pages o WHERE o.org_id = t.org_id OFFSET 0) AS p ON true
	WHERE t.page_token = ANY(CAST((SELECT $1::text[]) AS text[]))`

// newPageReads returns the group reads of tokens' pages on the
// PostgreSQL pool db.
func newPageReads(db *sql.DB) *groupReads[pageKey, pageRead] {
	q := &Queries{engine: Postgres, pg: db}
	return &groupReads[pageKey, pageRead]{read: q.trackingPages, loops: trackingReadLoops, maxBatch: trackingReadMaxBatch}
}

// trackingPages reads keys' rows in one statement (through pgx,
// pgxQuery), into out: a row answers every key of its token.
func (q *Queries) trackingPages(ctx context.Context, keys []pageKey, out []pageRead) error {
	query, args := trackingPagesSQL, []any(nil)
	if len(keys) == 1 {
		query, args = trackingPageQuery(false), []any{keys[0].token}
	} else {
		tokens := make([]string, len(keys))
		for i, k := range keys {
			tokens[i] = k.token
		}
		args = []any{tokens}
	}
	return q.pgxEachRow(ctx, query, args, func(rows pgx.Rows) error {
		var r rawPageRow
		if err := r.read(rows); err != nil {
			return err
		}
		for i := range keys {
			if r.token != nil && keys[i].token == bytesView(r.token) {
				out[i] = r.answer(keys[i].seen)
			}
		}
		return nil
	})
}

// The branding columns of pageColumns, after trackingColumns'.
const (
	pageColSettings = trackingColumnCount + iota
	pageColHost
	pageColBrandingUpdated
	pageColCount
)

// rawPageRow is a row of a token's page read (pageColumns) as pgx
// received it, with its Version (the same sums as pageVersioner.addRow
// over the scanned row) and, once a key's caller has not seen it, the
// pageRow copied out of pgx's buffer: once, however many keys of the
// batch the row answers.
type rawPageRow struct {
	rawTracking
	settings, host  []byte // nil for NULL
	brandingUpdated sql.NullInt64
	version         PageVersion
	moved           bool
	row             pageRow
}

// read reads the current row of rows and sums its Version.
func (r *rawPageRow) read(rows pgx.Rows) error {
	vals := rows.RawValues()
	if len(vals) != pageColCount {
		return fmt.Errorf("store: page read returned %d columns, want %d", len(vals), pageColCount)
	}
	if err := readRawTracking(rows, 0, &r.rawTracking); err != nil {
		return err
	}
	r.settings, r.host = vals[pageColSettings], vals[pageColHost]
	if r.brandingUpdated.Valid = vals[pageColBrandingUpdated] != nil; r.brandingUpdated.Valid {
		n, err := rawInt(rows, pageColBrandingUpdated)
		if err != nil {
			return err
		}
		r.brandingUpdated.Int64 = n
	}
	ver := newPageVersioner()
	r.addTo(ver)
	ver.addBrandingColumns(nullView(r.settings), nullView(r.host), r.brandingUpdated)
	r.version = ver.sum()
	return nil
}

// answer is the row as a caller with seen (which may be nil) gets it:
// the Version alone when seen reports it, else the row too.
func (r *rawPageRow) answer(seen func(PageVersion) bool) pageRead {
	out := pageRead{found: true, version: r.version}
	if seen != nil && seen(r.version) {
		out.seen = true
		return out
	}
	if !r.moved {
		t := r.rawTracking.row()
		r.row = pageRow{seq: t.seq, publicID: t.publicID, orgID: t.orgID, created: t.created, updated: t.updated, doc: t.doc,
			token: t.pageToken, settings: nullString(r.settings), host: nullString(r.host), brandingUpdated: r.brandingUpdated}
		r.moved = true
	}
	out.row = r.row
	return out
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
