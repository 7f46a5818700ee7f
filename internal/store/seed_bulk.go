package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// bulkTable is a table a seed writes many rows of, with the columns given
// for each row, in order.
type bulkTable struct {
	name string
	cols []string
}

// bulkRows are rows waiting to be written, per table.
type bulkRows map[*bulkTable][][]any

func (b bulkRows) add(t *bulkTable, row ...any) { b[t] = append(b[t], row) }

// bulkWriter writes batches of rows, each batch in its own transaction.
type bulkWriter interface {
	// write stores every row of rows, tables in the order given, and
	// commits; nothing is written when it fails.
	write(ctx context.Context, order []*bulkTable, rows bulkRows) error
	close() error
}

// sqliteBulk writes with multi-row INSERT statements prepared once per
// transaction, on the store's single writer connection.
type sqliteBulk struct{ db *sql.DB }

// sqliteRowsPerInsert bounds a statement's rows; 64 rows of 20 columns stay
// far below SQLite's 32,766 parameters.
const sqliteRowsPerInsert = 64

func (b sqliteBulk) write(ctx context.Context, order []*bulkTable, rows bulkRows) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, t := range order {
		all := rows[t]
		var full *sql.Stmt
		for len(all) > 0 {
			n := min(len(all), sqliteRowsPerInsert)
			var stmt *sql.Stmt
			if n == sqliteRowsPerInsert && full != nil {
				stmt = full
			} else if stmt, err = tx.PrepareContext(ctx, insertSQL(t, n)); err != nil {
				return fmt.Errorf("seed: prepare %s: %w", t.name, err)
			}
			if n == sqliteRowsPerInsert {
				full = stmt
			}
			args := make([]any, 0, n*len(t.cols))
			for _, r := range all[:n] {
				args = append(args, r...)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("seed: insert %s: %w", t.name, err)
			}
			if stmt != full {
				stmt.Close()
			}
			all = all[n:]
		}
		if full != nil {
			full.Close()
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

func (sqliteBulk) close() error { return nil }

// insertSQL is INSERT INTO t (cols) VALUES (...), ... for n rows.
func insertSQL(t *bulkTable, n int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	p := 1
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := range t.cols {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "$%d", p)
			p++
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// pgBulk writes with COPY, through pgx, on one connection of the pool.
type pgBulk struct{ conn *sql.Conn }

func newPGBulk(ctx context.Context, db *sql.DB) (*pgBulk, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: connect: %w", err)
	}
	return &pgBulk{conn: conn}, nil
}

func (b *pgBulk) write(ctx context.Context, order []*bulkTable, rows bulkRows) error {
	return b.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("seed: the PostgreSQL driver is %T, not pgx", dc)
		}
		tx, err := c.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("seed: begin: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
		for _, t := range order {
			if len(rows[t]) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows[t])); err != nil {
				return fmt.Errorf("seed: copy %s: %w", t.name, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("seed: commit: %w", err)
		}
		return nil
	})
}

func (b *pgBulk) close() error { return b.conn.Close() }
