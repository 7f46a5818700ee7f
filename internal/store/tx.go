package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
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
	listed *listedDocs // decoded documents of listed trackings (ListTrackings)
	// pg, on PostgreSQL outside a transaction, is the pool readRows may
	// take a connection of to read through pgx directly (pgxread.go).
	pg *sql.DB
	// trackingReads, with pg, reads TrackingAtKeyGeneration in batches
	// shared with concurrent calls (groupreads.go).
	trackingReads *groupReads[trackingKey, trackingAtGeneration]
	// pageReads, with pg, reads tokens' own pages so (pages_groupread.go).
	pageReads *groupReads[pageKey, pageRead]
	// orgNames are the names of the organizations pages were read for.
	orgNames *orgNames
	// hints, on SQLite's read pool, starts the reads of the rows a list
	// is about to read (rowhints.go); nil elsewhere.
	hints *rowHints
	// reads, on SQLite's read pool outside a transaction, is the store
	// whose read transactions a list runs in (trackings_list_keys.go).
	reads *Store
}

// Read returns queries on the read pool. On SQLite they may not write.
func (s *Store) Read() *Queries { return s.queries(s.reader, nil, s.readStmts) }

// Write returns queries that each commit on their own.
func (s *Store) Write() *Queries { return s.queries(s.writer, nil, s.writeStmts) }

// queries runs on pool, or on tx when set, through the pool's statement
// cache when it has one.
func (s *Store) queries(pool *sql.DB, tx *sql.Tx, cache *stmtCache) *Queries {
	var q querier = pool
	switch {
	case cache != nil:
		q = cachedQuerier{pool: pool, tx: tx, cache: cache}
	case tx != nil:
		q = tx
	}
	var pg *sql.DB
	var reads *groupReads[trackingKey, trackingAtGeneration]
	var pages *groupReads[pageKey, pageRead]
	names := s.orgNames
	if tx != nil {
		names = nil // a name read in a transaction may yet roll back
	}
	if s.observe != nil {
		q = observedQuerier{q: q, see: s.observe}
	} else if s.engine == Postgres && tx == nil {
		pg, reads, pages = pool, s.trackingReads, s.pageReads
	}
	var hints *rowHints
	var readTxs *Store
	if pool == s.reader && tx == nil && s.engine == SQLite {
		hints, readTxs = s.hints, s
	}
	return &Queries{q: q, engine: s.engine, listed: s.listed, pg: pg, trackingReads: reads, pageReads: pages, orgNames: names, hints: hints, reads: readTxs}
}

// Tx is an open transaction. Its queries see its own writes. A Tx is not
// safe for concurrent use: the calls that share it take turns.
type Tx struct {
	*Queries
	tx    *sql.Tx
	store *Store
	ended atomic.Bool // committed or rolled back
	// afterCommit is what AfterCommit registered, run once the
	// transaction has committed.
	afterCommit []func()
}

// AfterCommit registers fn to run once tx has committed, on the goroutine
// that committed it, right after the commit; fn must not block. It does
// not run when the transaction rolls back, nor when fn was registered in a
// savepoint that rolled back (a group-committed function that failed, or
// Savepoint's fn).
func (t *Tx) AfterCommit(fn func()) { t.afterCommit = append(t.afterCommit, fn) }

// undoAfterCommit forgets what AfterCommit registered since there were
// mark functions: their savepoint rolled back.
func (t *Tx) undoAfterCommit(mark int) { t.afterCommit = t.afterCommit[:mark] }

// SQL returns the underlying transaction, so that the job queue can insert a
// job that commits or rolls back with the data.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// txKey is the context key of the transaction InTx carries.
type txKey struct{}

// errTxEnded is what joining a transaction that has already ended gives: a
// context that outlived the InTx call that made it.
var errTxEnded = errors.New("store: the context carries a transaction that has already ended")

// carried returns the transaction of this store that ctx carries, if any.
func (s *Store) carried(ctx context.Context) (*Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*Tx)
	if !ok || tx.store.origin() != s.origin() {
		return nil, false
	}
	return tx, true
}

// InTransaction reports whether ctx carries an open transaction of s, which
// a write made with ctx joins (InTx).
func (s *Store) InTransaction(ctx context.Context) bool {
	tx, ok := s.carried(ctx)
	return ok && !tx.ended.Load()
}

// origin is the Store s was made from by ForWorkers, or s: the handles of
// one database, which share its transactions.
func (s *Store) origin() *Store {
	if s.parent != nil {
		return s.parent
	}
	return s
}

// InTx runs fn in a transaction and hands fn a context that carries it, so
// that every service fn calls with that context joins the same transaction.
//
// When ctx already carries an open transaction of this store, fn joins it:
// InTx neither commits nor rolls back, and fn's error goes back to the
// caller, whose InTx decides. Otherwise InTx opens a transaction, commits it
// when fn returns nil, and rolls it back when fn returns an error or panics.
// Either way, whoever opened the transaction is its only owner: see "Who
// owns a transaction" in docs/ARCHITECTURE.md.
//
// fn must write only through tx (on SQLite the writer has one connection,
// and tx holds it). A context that carries a transaction that has ended
// gives an error instead of a silent new transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	if tx, ok := s.carried(ctx); ok {
		if tx.ended.Load() {
			return errTxEnded
		}
		return fn(ctx, tx)
	}
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
	tx := &Tx{Queries: s.queries(s.writer, sqlTx, s.writeStmts), tx: sqlTx, store: s}
	defer tx.ended.Store(true)
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, tx), tx); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, fn := range tx.afterCommit {
		fn()
	}
	return nil
}

// WithTx is InTx for a function that needs no context: it joins the
// transaction ctx carries, or opens its own. Code that calls another
// service inside the transaction should use InTx and pass its context on,
// so that the service joins.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.InTx(ctx, func(_ context.Context, tx *Tx) error { return fn(tx) })
}

// ReadIn returns the queries of the transaction ctx carries, so that a read
// sees the caller's uncommitted writes, or else the read pool's (Read).
func (s *Store) ReadIn(ctx context.Context) *Queries {
	if tx, ok := s.carried(ctx); ok && !tx.ended.Load() {
		return tx.Queries
	}
	return s.Read()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// uncancelled returns ctx without its cancellation on SQLite, for a read
// whose work is bounded (one row by key), and ctx itself on PostgreSQL.
func (q *Queries) uncancelled(ctx context.Context) context.Context {
	if q.engine != SQLite {
		return ctx
	}
	return context.WithoutCancel(ctx)
}
