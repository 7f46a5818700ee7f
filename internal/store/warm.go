package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// WarmReport is what Warm did.
type WarmReport struct {
	// Wanted is how many connections Warm meant to warm: every one the
	// pools may hold (0 on SQLite).
	Wanted int
	// Opened is how many connections it opened (the others were open
	// already); Planned how many connections planned every warm-up
	// statement and, on the request pool, ran a push's writes.
	Opened, Planned int
	// Took is how long Warm ran.
	Took time.Duration
	// Err is the first error met, nil when the warm-up was complete. The
	// pools work either way: a connection Warm could not open or warm is
	// opened, or plans its statements, on first use as without Warm.
	Err error
}

// Complete reports whether every wanted connection was opened and planned.
func (r WarmReport) Complete() bool { return r.Err == nil && r.Planned == r.Wanted }

// Warm opens, on PostgreSQL, every connection of the request pool and of
// the workers' pool (ForWorkers) at once, and on each has PostgreSQL
// plan the statements a checkpoint push and a webhook delivery run
// (EXPLAIN), then has each request connection execute a push's inserts in
// a transaction it rolls back (warmFirstWrites: nothing is committed). A
// server calls it before it reports ready, so that its first requests do
// not pay for new database backends: each costs PostgreSQL a process start and, on first
// use of each table, loading that table's and its indexes' catalog
// entries, tens of milliseconds of CPU per connection, which 48
// connections opened by the first second of traffic turned into seconds of
// latency (docs/benchmarks/webhooks.md, session 9).
//
// Warm is best effort: it returns when the work is done or ctx is done,
// whichever is first, and never fails; what it could not do is in the
// report. Connections it opened stay in the pools (they close after
// 5 minutes idle, as any other). Warm must run before the pools are in
// use: it holds each pool's free connections until all are warm. On
// SQLite it does nothing (opening a connection costs microseconds).
func (s *Store) Warm(ctx context.Context) WarmReport {
	start := time.Now()
	var r WarmReport
	if s.engine != Postgres {
		return r
	}
	type pool struct {
		db         *sql.DB
		statements []string
		writes     func(context.Context, *sql.Conn) error
	}
	pools := []pool{{s.writer, warmRequestStatements, s.warmFirstWrites}}
	if s.workers != nil {
		pools = append(pools, pool{s.workers.writer, warmWorkerStatements, nil})
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr := warmPool(ctx, p.db, p.statements, p.writes)
			mu.Lock()
			defer mu.Unlock()
			r.Wanted += pr.Wanted
			r.Opened += pr.Opened
			r.Planned += pr.Planned
			if r.Err == nil {
				r.Err = pr.Err
			}
		}()
	}
	wg.Wait()
	r.Took = time.Since(start)
	return r
}

// warmPool takes every connection of db not in use, all at once (opening
// those the pool does not hold yet), plans statements on each, then runs
// writes (when set) on it, and returns them to the pool once all are
// done: a connection returned earlier would be taken again instead of a
// new one opened.
func warmPool(ctx context.Context, db *sql.DB, statements []string, writes func(context.Context, *sql.Conn) error) WarmReport {
	before := db.Stats()
	var r WarmReport
	if before.MaxOpenConnections > 0 { // 0: unlimited, no size to fill
		r.Wanted = before.MaxOpenConnections - before.InUse
	}
	errs := make(chan error, r.Wanted)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range r.Wanted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				errs <- fmt.Errorf("open a database connection: %w", err)
				return
			}
			defer conn.Close()
			err = conn.Raw(func(dc any) error { return planStatements(ctx, dc, statements) })
			if writes != nil && ctx.Err() == nil {
				err = errors.Join(err, writes(ctx, conn))
			}
			errs <- err
			<-release
		}()
	}
	for range r.Wanted {
		if err := <-errs; err == nil {
			r.Planned++
		} else if r.Err == nil {
			r.Err = err
		}
	}
	close(release)
	wg.Wait()
	r.Opened = max(0, db.Stats().OpenConnections-before.OpenConnections)
	return r
}

// planStatements prepares each statement on the connection dc (pgx's,
// through database/sql's Conn.Raw) as pgx's statement cache would on the
// statement's first use, and has PostgreSQL plan it with EXPLAIN, its
// parameters set to a zero value of their type (empty strings, 0, false,
// empty arrays; NULL otherwise), as a request's first execution would plan
// it: the relations, their indexes and statistics, and the operators are
// loaded into the backend's caches. A request that then runs a statement
// of the same text on the connection finds it prepared (pgx looks a cache
// miss up among the connection's prepared statements by that name), so
// its first use costs no round trip to parse and describe it; one whose
// text differs prepares its own as without Warm.
func planStatements(ctx context.Context, dc any, statements []string) error {
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("store: a PostgreSQL connection of type %T, not pgx's", dc)
	}
	pc := sc.Conn().PgConn()
	var errs []error
	for _, stmt := range statements {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Prepared under the name pgx's statement cache gives it, the
		// request's first use finds it prepared: no round trip to parse it.
		_, err := sc.Conn().Prepare(ctx, pgxCachedStatementName(stmt), stmt)
		var sd *pgconn.StatementDescription
		if err == nil {
			sd, err = pc.Prepare(ctx, "", "EXPLAIN "+stmt, nil)
		}
		if err == nil {
			err = pc.ExecPrepared(ctx, "", zeroParams(sd.ParamOIDs), nil, nil).Read().Err
		}
		if err != nil {
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				return fmt.Errorf("plan %.40q: %w", stmt, err) // the connection failed
			}
			errs = append(errs, fmt.Errorf("plan %.40q: %w", stmt, err)) // a statement did: go on
		}
	}
	return errors.Join(errs...)
}

// pgxCachedStatementName is the name pgx's statement cache
// (QueryExecModeCacheStatement, the default) prepares sql under: pgx's
// internal stmtcache.StatementName. TestWarmPreparesWhatRequestsRun fails
// if pgx names its statements otherwise.
func pgxCachedStatementName(sql string) string {
	digest := sha256.Sum256([]byte(sql))
	return "stmtcache_" + hex.EncodeToString(digest[0:24])
}

// zeroParams returns a value in text format for each parameter type: a
// zero value for the types the store's statements use, NULL (nil) for
// others. Constants let the planner match indexes and read statistics as
// it does for a request; NULL would fold the condition away.
func zeroParams(oids []uint32) [][]byte {
	params := make([][]byte, len(oids))
	for i, oid := range oids {
		switch oid {
		case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.Float4OID, pgtype.Float8OID, pgtype.NumericOID, pgtype.OIDOID:
			params[i] = []byte("0")
		case pgtype.BoolOID:
			params[i] = []byte("false")
		case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID, pgtype.ByteaOID:
			params[i] = []byte{}
		case pgtype.JSONOID, pgtype.JSONBOID:
			params[i] = []byte("{}")
		case pgtype.Int2ArrayOID, pgtype.Int4ArrayOID, pgtype.Int8ArrayOID, pgtype.TextArrayOID, pgtype.BoolArrayOID,
			pgtype.ByteaArrayOID, pgtype.VarcharArrayOID, pgtype.Float8ArrayOID:
			params[i] = []byte("{}")
		}
	}
	return params
}
