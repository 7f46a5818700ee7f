package store

import (
	"context"
	"database/sql"
	"fmt"
)

// On PostgreSQL, concurrent reads of a token's own page (TrackingPage and
// TrackingPageUnlessSeen without order) are read in batches (groupReads),
// as trackings by id are (trackings_groupread.go): each still from a read
// that began after the call did.

// pageRead is a token's row as read; found is false when no tracking has
// the token.
type pageRead struct {
	found bool
	row   pageRow
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
func newPageReads(db *sql.DB) *groupReads[string, pageRead] {
	q := &Queries{engine: Postgres, pg: db}
	return &groupReads[string, pageRead]{read: q.trackingPages, loops: trackingReadLoops, maxBatch: trackingReadMaxBatch}
}

// trackingPages reads tokens' rows in one statement (through pgx,
// readRows), into out.
func (q *Queries) trackingPages(ctx context.Context, tokens []string, out []pageRead) error {
	if len(tokens) == 1 {
		return q.readRows(ctx, trackingPageQuery(false), []any{tokens[0]}, func(scan func(dest ...any) error) error {
			out[0].found = true
			return scan(out[0].row.dest()...)
		})
	}
	return q.readRows(ctx, trackingPagesSQL, []any{tokens}, func(scan func(dest ...any) error) error {
		var ord int64
		var r pageRow
		if err := scan(append([]any{&ord}, r.dest()...)...); err != nil {
			return err
		}
		if ord < 1 || ord > int64(len(out)) {
			return fmt.Errorf("store: batched page read returned token %d of %d", ord, len(out))
		}
		out[ord-1] = pageRead{found: true, row: r}
		return nil
	})
}

// readTokenPage is readPage of a token's own page, read in a batch.
func (q *Queries) readTokenPage(ctx context.Context, seen func(PageVersion) bool, token string) (PageTrackings, error) {
	r, err := q.pageReads.get(ctx, token)
	if err != nil {
		return PageTrackings{}, fmt.Errorf("read page trackings: %w", err)
	}
	var one [1]pageRow
	raw := one[:0]
	if r.found {
		raw = append(raw, r.row)
	}
	return q.pageOf(ctx, raw, newPageVersioner(), seen)
}
