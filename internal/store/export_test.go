package store

import (
	"context"
	"database/sql"
	"strings"
)

// Migrations exposes the embedded migrations to the tests.
var Migrations = migrations

// ObserveQueries makes every later query of s through Read, Write, ReadIn
// and transactions go to see first, with its arguments. Call it before s is
// shared between goroutines.
func (s *Store) ObserveQueries(see func(query string, args []any)) { s.observe = see }

// Queued returns how many functions wait for the committer's next batch.
func (g *GroupCommitter) Queued() int { return len(g.queue) }

// CloneTracking exposes cloneTracking to TestCloneTrackingCopiesEveryReference.
var CloneTracking = cloneTracking

// LimitPools sets the most connections of the request pool and, on
// PostgreSQL, of the workers' pool, so that a test of Warm opens few.
func (s *Store) LimitPools(requests, workers int) {
	s.writer.SetMaxOpenConns(requests)
	if s.workers != nil {
		s.workers.writer.SetMaxOpenConns(workers)
	}
}

// RiverFetchPlannedOnce reports, of the statements the connections of db
// have prepared, whether one is River's fetch and whether every such one
// was prepared with its limit evaluated at run time (planOnce).
func RiverFetchPlannedOnce(ctx context.Context, db *sql.DB) (seen, plannedOnce bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, false, err
	}
	defer conn.Close()
	plannedOnce = true
	err = conn.Raw(func(dc any) error {
		for query := range dc.(*cachingConn).stmts {
			if strings.HasPrefix(query, riverFetch) {
				seen = true
				plannedOnce = plannedOnce && planOnce(query) != query
			}
		}
		return nil
	})
	return seen, plannedOnce, err
}

// RecordRowHints makes the SQLite store's read hints (rowhints.go) hand
// each range of the database file they would advise to record instead,
// taking no page to be in memory; false where the store gives no hints.
func (s *Store) RecordRowHints(record func(off, n int64)) bool {
	if s.hints == nil {
		return false
	}
	s.hints.advise = func(_ readerAt, off, n int64) { record(off, n) }
	s.hints.resident = func(readerAt, int64, int64) bool { return false } // every page as if read from disk
	return true
}
