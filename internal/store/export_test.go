package store

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
