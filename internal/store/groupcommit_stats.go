package store

import "time"

// CommitTimings is where a committer's time went, summed over the
// transactions it ran since start (those that failed included): Exec from
// each transaction's begin to the end of its last statement, Commit from
// there to the commit's return (on SQLite, and with synchronous_commit on
// PostgreSQL, the wait for the log's flush). With Loops > 1 the
// transactions overlap, so the sums may exceed the time elapsed.
type CommitTimings struct {
	Batches, Items int64 // as Stats
	Exec, Commit   time.Duration
}

// Timings returns the committer's CommitTimings so far.
func (g *GroupCommitter) Timings() CommitTimings {
	batches, items := g.Stats()
	return CommitTimings{Batches: batches, Items: items,
		Exec: time.Duration(g.execNanos.Load()), Commit: time.Duration(g.commitNanos.Load())}
}

// timed adds a transaction begun at start, whose statements ended at
// executed (zero when they never ran), to the timings.
func (g *GroupCommitter) timed(start, executed time.Time) {
	end := time.Now()
	if executed.IsZero() {
		executed = end
	}
	g.execNanos.Add(int64(executed.Sub(start)))
	g.commitNanos.Add(int64(end.Sub(executed)))
}
