package store

import (
	"context"
	"database/sql"
	"time"
)

// SQLite checkpoints: what a commit appends to the WAL is copied into the
// database file by a checkpoint. By default the connection that commits
// does it, inside its commit, once the WAL holds 1,000 pages: on the
// store's one writer connection that held up every write queued behind
// it (the creates of the next group commit) for the copy and an fsync of
// the database file, and a page written by many commits in the window
// was copied once per window (6 % of a create load's CPU).
//
// So the writer only checkpoints as a fallback (walAutoCheckpointPages),
// and a connection of its own copies the WAL every checkpointEvery, while
// the writer goes on: in WAL mode a checkpoint runs beside writers and
// readers. Durability does not depend on it: a commit is acknowledged
// once its WAL frames are fsynced (synchronous=FULL), and a WAL left
// uncheckpointed by a crash is replayed when the database next opens.
const (
	// checkpointEvery is how often the checkpointer copies the WAL.
	checkpointEvery = 500 * time.Millisecond
	// walAutoCheckpointPages is the WAL size, in pages, at which the
	// writer checkpoints in its commit all the same: it bounds the WAL
	// (40 MiB of 4 KiB pages) should the checkpointer fall behind.
	walAutoCheckpointPages = 10000
)

// walCheckpointer runs PASSIVE checkpoints on db (one connection) until
// stopped. A PASSIVE checkpoint takes no lock a reader or the writer
// waits for: it copies what no reader still needs and leaves the rest to
// the next one.
type walCheckpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

func startCheckpointer(db *sql.DB, every time.Duration) *walCheckpointer {
	ctx, stop := context.WithCancel(context.Background())
	c := &walCheckpointer{db: db, stop: stop, done: make(chan struct{})}
	go c.run(ctx, every)
	return c
}

func (c *walCheckpointer) run(ctx context.Context, every time.Duration) {
	defer close(c.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// An error (the database busy being restarted, a disk error) is
		// left to the next tick; the writer's own checkpoint at
		// walAutoCheckpointPages is the fallback.
		_, _ = c.checkpoint(ctx)
	}
}

// checkpoint runs one PASSIVE checkpoint and returns the WAL's frames
// not yet copied into the database file after it.
func (c *walCheckpointer) checkpoint(ctx context.Context) (left int, err error) {
	var busy, logFrames, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied); err != nil {
		return 0, err
	}
	return logFrames - copied, nil
}

// close stops the checkpointer and closes its connection.
func (c *walCheckpointer) close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
