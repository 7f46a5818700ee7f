package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a stmtCache. Queries are constant strings but for
// list filters, whose shape varies with the filter; past the bound a query
// simply runs unprepared.
const maxCachedStmts = 512

// stmtCache keeps one prepared statement per distinct query of a SQLite
// pool, so that SQL is parsed once per connection instead of at every
// call. With modernc.org/sqlite, parsing was a third of the CPU of
// processing an Onport sale. PostgreSQL needs no cache: pgx caches
// statements on each connection itself.
//
// A statement is prepared on the pool, which takes a connection. The
// writer pool has a single connection, held by an open transaction, so a
// query first seen inside a transaction runs unprepared and is prepared
// when the transaction ends (prepareWanted).
type stmtCache struct {
	db *sql.DB

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// prepare returns the query's statement, preparing it on the pool on first
// use; nil when the cache is full or the query does not prepare (the
// caller then runs it unprepared and reports its error).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if s := c.lookup(query); s != nil {
		return s
	}
	c.mu.RLock()
	full := len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if full {
		return nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prior, ok := c.stmts[query]; ok {
		_ = s.Close()
		return prior
	}
	c.stmts[query] = s
	return s
}

// want notes a query met inside a transaction, to prepare once it ends.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stmts)+len(c.wanted) < maxCachedStmts {
		c.wanted[query] = true
	}
}

// prepareWanted prepares the queries noted by want. Call it with no
// transaction open on this goroutine.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		c.prepare(context.WithoutCancel(ctx), q)
	}
}

// close releases every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		_ = s.Close()
		delete(c.stmts, q)
	}
}

// cachedQuerier runs queries through a stmtCache, on its pool or, when tx
// is set, in that transaction.
type cachedQuerier struct {
	pool  *sql.DB
	tx    *sql.Tx
	cache *stmtCache
}

// stmt returns a prepared statement for query, bound to the transaction if
// any, or nil to run the query unprepared.
func (c cachedQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.tx == nil {
		return c.cache.prepare(ctx, query)
	}
	s := c.cache.lookup(query)
	if s == nil {
		c.cache.want(query)
		return nil
	}
	// The statement is already prepared on the transaction's connection
	// (the writer has one); StmtContext reuses it, and the transaction
	// closes the copy it returns when it ends.
	return c.tx.StmtContext(ctx, s)
}

func (c cachedQuerier) target() querier {
	if c.tx != nil {
		return c.tx
	}
	return c.pool
}

func (c cachedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.target().ExecContext(ctx, query, args...)
}

func (c cachedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.target().QueryContext(ctx, query, args...)
}

func (c cachedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.target().QueryRowContext(ctx, query, args...)
}
