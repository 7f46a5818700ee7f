package store

import (
	"context"
	"database/sql"
	"fmt"

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
