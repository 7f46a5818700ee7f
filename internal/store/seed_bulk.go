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

// sqliteBulk writes with one single-row INSERT statement per table,
// prepared once per transaction, on the store's single writer connection.
// Single-row statements are faster here than multi-row ones: SQLite keeps a
// statement journal for a statement that writes many rows (so that it can
// undo part of it), and that journal's copies of the pages, with the
// allocations behind them, were most of a multi-row seed's time; "?"
// parameters also spare SQLite its search of numbered parameter names.
type sqliteBulk struct{ db *sql.DB }

func (b sqliteBulk) write(ctx context.Context, order []*bulkTable, rows bulkRows) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, t := range order {
		if len(rows[t]) == 0 {
			continue
		}
		stmt, err := tx.PrepareContext(ctx, insertSQL(t))
		if err != nil {
			return fmt.Errorf("seed: prepare %s: %w", t.name, err)
		}
		for _, r := range rows[t] {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				stmt.Close()
				return fmt.Errorf("seed: insert %s: %w", t.name, err)
			}
		}
		stmt.Close()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

func (sqliteBulk) close() error { return nil }

// insertSQL is INSERT INTO t (cols) VALUES (?, ...) for one row.
func insertSQL(t *bulkTable) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", t.name, strings.Join(t.cols, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", "))
}

// pgBulk writes with COPY, through pgx, on one connection of the pool.
type pgBulk struct{ conn *sql.Conn }

func newPGBulk(ctx context.Context, db *sql.DB) (*pgBulk, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: connect: %w", err)
	}
	// The seed's commits need not wait for the WAL to reach the disk.
	if _, err := conn.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("seed: synchronous_commit: %w", err)
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

func (b *pgBulk) close() error {
	b.conn.ExecContext(context.Background(), "RESET synchronous_commit") //nolint:errcheck // the connection goes back to the pool
	return b.conn.Close()
}
