package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// querier is what both a pool and a transaction offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries runs the store's queries on a pool or inside a transaction.
type Queries struct {
	q      querier
	engine string
}

// Read returns queries on the read pool. On SQLite they may not write.
func (s *Store) Read() *Queries { return s.queries(s.reader, nil, s.readStmts) }

// Write returns queries that each commit on their own.
func (s *Store) Write() *Queries { return s.queries(s.writer, nil, s.writeStmts) }

// queries runs on pool, or on tx when set, through the pool's statement
// cache when it has one.
func (s *Store) queries(pool *sql.DB, tx *sql.Tx, cache *stmtCache) *Queries {
	switch {
	case cache != nil:
		return &Queries{q: cachedQuerier{pool: pool, tx: tx, cache: cache}, engine: s.engine}
	case tx != nil:
		return &Queries{q: tx, engine: s.engine}
	}
	return &Queries{q: pool, engine: s.engine}
}

// Tx is an open transaction. Its queries see its own writes.
type Tx struct {
	*Queries
	tx *sql.Tx
}

// SQL returns the underlying transaction, so that the job queue can insert a
// job that commits or rolls back with the data.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// WithTx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise (and on panic). fn must use only tx: on SQLite the writer has one
// connection, and tx holds it.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if s.writeStmts != nil {
		// Prepare what the transaction met for the first time once it has
		// given the writer's connection back (this runs after the
		// rollback below, panics included).
		defer s.writeStmts.prepareWanted(ctx)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{Queries: s.queries(s.writer, sqlTx, s.writeStmts), tx: sqlTx}); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
