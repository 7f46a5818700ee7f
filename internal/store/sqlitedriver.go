package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"reflect"

	"modernc.org/sqlite"
)

// sqliteCachedDriver is the name the store opens SQLite under: the
// modernc.org/sqlite driver with a cache of prepared statements on each
// connection.
const sqliteCachedDriver = "sqlite-waybill"

func init() { sql.Register(sqliteCachedDriver, cachingDriver{}) }

// connStmtsMax bounds the statements one connection keeps prepared.
const connStmtsMax = 256

// queryVariantsMax bounds the statements one connection keeps prepared for
// the same query text; see cachingConn.
const queryVariantsMax = 4

// connVariantsMax bounds the statements one connection keeps prepared
// besides the first of each query, apart from connStmtsMax: a query's
// second statement never takes the room of another query's first. With one
// budget, queries whose numbers vary filled it several times faster, and
// queries asked later ran unprepared: webhook deliveries' p99 grew from
// 0.8-1.3 s to 4-13 s at load 9 (bench-webhooks.sh, SQLite).
const connVariantsMax = 64

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
	return &cachingConn{sqliteConn: sc, stmts: map[string][]*cachedStmt{}}, nil
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
//
// A query may have up to queryVariantsMax statements, and a call runs on
// the one last run with the same numbers (integers, floats, booleans) when
// there is one. SQLite plans some statements with the value bound to a
// parameter, a LIMIT of a subquery above all, and then parses and plans
// the statement again whenever that number changes. River's fetch of
// available jobs is such a statement (LIMIT is the queue's free workers),
// and its queues, each with its own number of workers, fetch in turn on
// the one SQLite writer connection: with a single statement, every idle
// poll was parsed anew. Text and blob parameters are unbound after every
// call by the driver, so they cannot keep a plan and are not compared.
type cachingConn struct {
	sqliteConn
	stmts map[string][]*cachedStmt
	held  int    // first statements of a query in stmts
	extra int    // other statements in stmts
	tick  uint64 // counts calls; cachedStmt.used is its value at the last use
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
	// numbers are the numbers of the call it last ran, used the tick of
	// that call.
	numbers []boundNumber
	used    uint64
}

// boundNumber is a parameter value as far as it stays bound to a
// statement between calls: a number's kind and bits, or kind 0 for
// anything else.
type boundNumber struct {
	kind uint8
	bits uint64
}

func boundNumberOf(v driver.Value) boundNumber {
	switch v := v.(type) {
	case int64:
		return boundNumber{kind: 1, bits: uint64(v)}
	case float64:
		return boundNumber{kind: 2, bits: math.Float64bits(v)}
	case bool:
		if v {
			return boundNumber{kind: 3, bits: 1}
		}
		return boundNumber{kind: 3}
	}
	return boundNumber{}
}

// sameNumbers reports whether args bind the numbers st last ran with.
func (st *cachedStmt) sameNumbers(args []driver.NamedValue) bool {
	if len(st.numbers) != len(args) {
		return false
	}
	for i, a := range args {
		if st.numbers[i] != boundNumberOf(a.Value) {
			return false
		}
	}
	return true
}

// use marks st as running args now.
func (c *cachingConn) use(st *cachedStmt, args []driver.NamedValue) *cachedStmt {
	st.numbers = st.numbers[:0]
	for _, a := range args {
		st.numbers = append(st.numbers, boundNumberOf(a.Value))
	}
	c.tick++
	st.used = c.tick
	return st
}

// cached returns a prepared statement of query to run args on, or nil when
// query must run unprepared (its statements are busy and no other may be
// prepared, or it does not prepare: the unprepared run then reports the
// error). It prefers, in turn, a free statement last run with the same
// numbers, a new statement while the query and the connection have room
// for one, and the free statement used least recently.
func (c *cachingConn) cached(ctx context.Context, query string, args []driver.NamedValue) *cachedStmt {
	variants := c.stmts[query]
	var oldest *cachedStmt
	for _, st := range variants {
		if st.busy {
			continue
		}
		if st.sameNumbers(args) {
			return c.use(st, args)
		}
		if oldest == nil || st.used < oldest.used {
			oldest = st
		}
	}
	full := c.held >= connStmtsMax
	if len(variants) > 0 {
		full = len(variants) >= queryVariantsMax || c.extra >= connVariantsMax
	}
	if full {
		if oldest == nil {
			return nil
		}
		return c.use(oldest, args)
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
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
	if len(variants) > 0 {
		c.extra++
	} else {
		c.held++
	}
	c.stmts[query] = append(variants, st)
	return c.use(st, args)
}

// ExecContext runs query on its prepared statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.cached(ctx, query, args)
	if st == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return st.stmt.ExecContext(ctx, args)
}

// QueryContext runs query on its prepared statement; the statement is
// busy until the rows close.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.cached(ctx, query, args)
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
	for _, variants := range c.stmts {
		for _, st := range variants {
			errs = append(errs, st.stmt.Close())
		}
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
