package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"

	"modernc.org/sqlite"
)

// sqliteCachedDriver is the name the store opens SQLite under: the
// modernc.org/sqlite driver with a cache of prepared statements on each
// connection.
const sqliteCachedDriver = "sqlite-waybill"

func init() { sql.Register(sqliteCachedDriver, cachingDriver{}) }

// connStmtsMax bounds the statements one connection keeps prepared.
const connStmtsMax = 256

// cachingDriver opens modernc.org/sqlite connections that prepare each
// query they run once and reuse it: the driver otherwise parses the SQL at
// every call, and code that runs SQL on a transaction of its own, River's
// job inserts and completions above all, cannot use the store's
// statement cache (stmtcache.go). Parsing River's insert was a third of
// the CPU of a group commit of creates.
type cachingDriver struct{}

func (cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := (&sqlite.Driver{}).Open(name)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(sqliteConn)
	if !ok {
		_ = c.Close()
		return nil, errors.New("store: the sqlite driver's connection lacks a method the store relies on")
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what a modernc.org/sqlite connection offers and
// database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn runs QueryContext and ExecContext through statements it
// prepared before. database/sql uses a connection from one goroutine at a
// time (Rows.Close included), so it needs no lock.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	// busy: rows of this statement are open. SQLite steps a statement
	// through one result at a time, so the same query asked again before
	// they close runs on a statement of its own.
	busy bool
}

// cached returns the prepared statement of query, or nil when query must
// run unprepared (its statement is busy, the cache is full, or it does
// not prepare: the unprepared run then reports the error).
func (c *cachingConn) cached(ctx context.Context, query string) *cachedStmt {
	if st, ok := c.stmts[query]; ok {
		if st.busy {
			return nil
		}
		return st
	}
	if len(c.stmts) >= connStmtsMax {
		return nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, planOnce(query))
	if err != nil {
		return nil
	}
	s, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		_ = ds.Close()
		return nil
	}
	st := &cachedStmt{stmt: s}
	c.stmts[query] = st
	return st
}

// riverFetch starts the text of River's fetch (riversqlite's
// JobGetAvailable), and riverFetchLimit is its LIMIT: the number of
// jobs to claim, which River binds as the queue's free workers.
const (
	riverFetch      = "-- name: JobGetAvailable :many"
	riverFetchLimit = "LIMIT ?5\n"
)

// planOnce returns the text to prepare for query. SQLite plans a LIMIT
// bound to a bare parameter with the value bound, and a statement so
// planned is parsed and planned again whenever another value is bound
// (sqlite3ExprIsInteger, sqlite3VdbeReprepareOnBind). River's fetch binds
// each queue's free workers there, and the four queues poll in turn on
// the one writer connection, so every fetch, idle ones included, was
// parsed again: 7-9 % of a server's CPU under creates. A unary plus
// makes the limit an expression evaluated when the statement runs, with
// the same value and the same plan otherwise. Any other query is
// returned as it is.
func planOnce(query string) string {
	if !strings.HasPrefix(query, riverFetch) {
		return query
	}
	return strings.Replace(query, riverFetchLimit, "LIMIT +?5\n", 1)
}

// ExecContext runs query on its prepared statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.cached(ctx, query)
	if st == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return st.stmt.ExecContext(ctx, args)
}

// QueryContext runs query on its prepared statement; the statement is
// busy until the rows close.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.cached(ctx, query)
	if st == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := st.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	sr, ok := rows.(sqliteRows)
	if !ok {
		return rows, nil // rows of a script, which do not hold the statement
	}
	st.busy = true
	return &cachedRows{rows: sr, st: st}, nil
}

// Close closes the connection's statements, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.stmt.Close())
	}
	c.stmts = nil
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// sqliteRows is what modernc.org/sqlite's rows offer.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	rows sqliteRows
	st   *cachedStmt
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }

func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.st.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.rows.ColumnTypeDatabaseTypeName(i)
}
func (r *cachedRows) ColumnTypeLength(i int) (int64, bool)  { return r.rows.ColumnTypeLength(i) }
func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) { return r.rows.ColumnTypeNullable(i) }
func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type { return r.rows.ColumnTypeScanType(i) }
func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.rows.ColumnTypePrecisionScale(i)
}
