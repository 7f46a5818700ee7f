package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"

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
// pgxQuery), into out.
func (q *Queries) trackingPages(ctx context.Context, keys []pageKey, out []pageRead) error {
	if len(keys) == 1 {
		return q.pgxQuery(ctx, trackingPageQuery(false), []any{keys[0].token}, func(rows pgx.Rows) error {
			for rows.Next() {
				if err := readPageRaw(rows, 0, keys[0].seen, &out[0]); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	tokens := make([]string, len(keys))
	for i, k := range keys {
		tokens[i] = k.token
	}
	return q.pgxQuery(ctx, trackingPagesSQL, []any{tokens}, func(rows pgx.Rows) error {
		for rows.Next() {
			ord, err := rawInt(rows, 0)
			if err != nil {
				return err
			}
			if ord < 1 || ord > int64(len(out)) {
				return fmt.Errorf("store: batched page read returned token %d of %d", ord, len(out))
			}
			if err := readPageRaw(rows, 1, keys[ord-1].seen, &out[ord-1]); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// The columns of pageColumns, in their order.
const (
	pageColSeq = iota
	pageColPublicID
	pageColOrgID
	pageColCreated
	pageColUpdated
	pageColDoc
	pageColToken
	pageColSettings
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
	col := vals[from:]
	var ints [pageColCount]int64
	for _, i := range [...]int{pageColSeq, pageColOrgID, pageColCreated, pageColUpdated, pageColBrandingUpdated} {
		if col[i] == nil {
			continue
		}
		n, err := rawInt(rows, from+i)
		if err != nil {
			return err
		}
		ints[i] = n
	}
	for _, i := range [...]int{pageColSeq, pageColPublicID, pageColOrgID, pageColCreated, pageColUpdated, pageColDoc} {
		if col[i] == nil {
			return fmt.Errorf("store: page read returned NULL in column %d", i)
		}
	}
	brandingUpdated := sql.NullInt64{Int64: ints[pageColBrandingUpdated], Valid: col[pageColBrandingUpdated] != nil}
	ver := newPageVersioner()
	ver.addTrackingColumns(ints[pageColSeq], bytesView(col[pageColPublicID]), ints[pageColOrgID], ints[pageColCreated],
		ints[pageColUpdated], bytesView(col[pageColDoc]), nullView(col[pageColToken]))
	ver.addBrandingColumns(nullView(col[pageColSettings]), nullView(col[pageColHost]), brandingUpdated)
	*r = pageRead{found: true, version: ver.sum()}
	if seen != nil && seen(r.version) {
		r.seen = true
		return nil
	}
	r.row = pageRow{seq: ints[pageColSeq], publicID: string(col[pageColPublicID]), orgID: ints[pageColOrgID],
		created: ints[pageColCreated], updated: ints[pageColUpdated], doc: string(col[pageColDoc]),
		token: nullString(col[pageColToken]), settings: nullString(col[pageColSettings]), host: nullString(col[pageColHost]),
		brandingUpdated: brandingUpdated}
	return nil
}

// rawInt decodes column i of rows' current row, a bigint in pgx's binary
// or text format.
func rawInt(rows pgx.Rows, i int) (int64, error) {
	b := rows.RawValues()[i]
	if rows.FieldDescriptions()[i].Format == pgx.BinaryFormatCode {
		if len(b) != 8 {
			return 0, fmt.Errorf("store: column %d: a binary bigint of %d bytes", i, len(b))
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: column %d: %w", i, err)
	}
	return n, nil
}

func nullString(b []byte) sql.NullString {
	if b == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
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
