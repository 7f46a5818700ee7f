package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// readRows runs query and calls each for every row it returns, with the
// row's Scan; it stops at each's first error and returns it.
//
// On PostgreSQL, outside a transaction, the statement runs through pgx on
// a connection of the request pool taken from database/sql (the same
// pool, connections and prepared statements as every other query), so
// database/sql's per-query machinery — its rows, the goroutine watching
// the context, the conversion of each value through driver.Value — is left
// out of the hot single-tracking reads (a v4 get by id, a tracking page).
// The result is the same: the same statement on the same pool, read
// committed, one round trip. Elsewhere (SQLite, a transaction, queries a
// test observes) it runs through q.q as any other query.
func (q *Queries) readRows(ctx context.Context, query string, args []any, each func(scan func(dest ...any) error) error) error {
	if q.pg == nil {
		rows, err := q.q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := eachRow(rows, each); err != nil {
			return err
		}
		return rows.Close()
	}
	return q.pgxQuery(ctx, query, args, func(rows pgx.Rows) error { return eachRow(rows, each) })
}

// pgxQuery runs query through pgx on a connection of the PostgreSQL pool
// q.pg (readRows) and hands its rows to read, which may use what pgx
// offers beyond Scan (RawValues: the columns' bytes as received, valid
// until the next row). The rows are closed after read returns.
func (q *Queries) pgxQuery(ctx context.Context, query string, args []any, read func(rows pgx.Rows) error) error {
	conn, err := q.pg.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: a PostgreSQL connection of type %T, not pgx's", dc)
		}
		rows, err := sc.Conn().Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return read(rows)
	})
}

// pgxEachRow runs query through pgx (pgxQuery) and calls each for every row,
// then reports the rows' error. each may use RawValues (valid until the
// next row).
func (q *Queries) pgxEachRow(ctx context.Context, query string, args []any, each func(rows pgx.Rows) error) error {
	return q.pgxQuery(ctx, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// eachRow calls each for every row of rows (database/sql's or pgx's),
// then reports the rows' error.
func eachRow(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}, each func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// readRow is readRows for one row, as sql.Row: it scans the first row
// into dest, and gives sql.ErrNoRows when there is none.
func (q *Queries) readRow(ctx context.Context, query string, args []any, dest ...any) error {
	found := false
	err := q.readRows(ctx, query, args, func(scan func(dest ...any) error) error {
		if found {
			return nil
		}
		found = true
		return scan(dest...)
	})
	if err == nil && !found {
		return sql.ErrNoRows
	}
	return err
}

// row runs a one-row read as QueryRowContext does, through pgx on
// PostgreSQL outside a transaction (readRow), else through q.q.
//
// On SQLite a ctx already done fails the read, but the read does not
// watch ctx while it runs (q.uncancelled): a read of one row by key takes
// tens of microseconds, and watching costs database/sql a goroutine per
// query and the driver an interrupt registration, a tenth of a v4 get's
// CPU.
func (q *Queries) row(ctx context.Context, query string, args ...any) scanner {
	if q.pg == nil {
		if err := ctx.Err(); err != nil {
			return failedRow{err: err}
		}
		return q.q.QueryRowContext(q.uncancelled(ctx), query, args...)
	}
	return readRowScanner{q: q, ctx: ctx, query: query, args: args}
}

// failedRow is a row whose read failed before it ran.
type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }

// readRowScanner is a row of readRow, for code written against Scan.
type readRowScanner struct {
	q     *Queries
	ctx   context.Context
	query string
	args  []any
}

func (r readRowScanner) Scan(dest ...any) error { return r.q.readRow(r.ctx, r.query, r.args, dest...) }

// rawTracking is trackingColumns of one row as pgx received them: the
// integers decoded, the strings still in pgx's buffer (valid until the
// next row; token nil for NULL). Both batched reads (trackings by id and
// tokens' pages) read their rows this way, so that a row whose version
// the caller has seen is summed where it lies and never copied.
type rawTracking struct {
	seq, orgID, created, updated int64
	publicID, doc, token         []byte
}

// The columns of trackingColumns, in their order.
const (
	colSeq = iota
	colPublicID
	colOrgID
	colCreated
	colUpdated
	colDoc
	colToken
	trackingColumnCount
)

// readRawTracking reads the current row's trackingColumns, from column
// from on, into r; only the page token may be NULL.
func readRawTracking(rows pgx.Rows, from int, r *rawTracking) error {
	vals := rows.RawValues()
	if len(vals) < from+trackingColumnCount {
		return fmt.Errorf("store: a tracking read returned %d columns, want at least %d", len(vals), from+trackingColumnCount)
	}
	col := vals[from : from+trackingColumnCount]
	for i := range colToken {
		if col[i] == nil {
			return fmt.Errorf("store: a tracking read returned NULL in column %d", from+i)
		}
	}
	var err error
	if r.seq, err = rawInt(rows, from+colSeq); err != nil {
		return err
	}
	if r.orgID, err = rawInt(rows, from+colOrgID); err != nil {
		return err
	}
	if r.created, err = rawInt(rows, from+colCreated); err != nil {
		return err
	}
	if r.updated, err = rawInt(rows, from+colUpdated); err != nil {
		return err
	}
	r.publicID, r.doc, r.token = col[colPublicID], col[colDoc], col[colToken]
	return nil
}

// addTo sums the row into v (pageVersioner.addTrackingColumns, the sums
// of a scanned row), without copying it.
func (r *rawTracking) addTo(v *pageVersioner) {
	v.addTrackingColumns(r.seq, bytesView(r.publicID), r.orgID, r.created, r.updated, bytesView(r.doc), nullView(r.token))
}

// row copies the row out of pgx's buffer.
func (r *rawTracking) row() trackingRow {
	return trackingRow{seq: r.seq, publicID: string(r.publicID), orgID: r.orgID, created: r.created, updated: r.updated,
		doc: string(r.doc), pageToken: nullString(r.token)}
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

// rawOrd decodes column i of rows' current row, a key's place (WITH
// ORDINALITY, from 1) in a batch of n keys, as an index of the keys.
func rawOrd(rows pgx.Rows, i, n int) (int, error) {
	ord, err := rawInt(rows, i)
	if err != nil {
		return 0, err
	}
	if ord < 1 || ord > int64(n) {
		return 0, fmt.Errorf("store: a batched read returned key %d of %d", ord, n)
	}
	return int(ord - 1), nil
}

// nullString copies a nullable column out of pgx's buffer (nil for NULL).
func nullString(b []byte) sql.NullString {
	if b == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(b), Valid: true}
}

// bytesView is b as a string without a copy, for summing within the
// call only: it must not be kept, since pgx reuses b's memory.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// nullView is a nullable column as pgx received it (nil for NULL) viewed
// as bytesView does: for summing within the call only.
func nullView(b []byte) sql.NullString { return sql.NullString{String: bytesView(b), Valid: b != nil} }
