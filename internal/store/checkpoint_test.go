package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckpointerCopiesWhatTheWriterLeaves: the writer no longer
// checkpoints at SQLite's default of 1,000 WAL pages, and the
// checkpointer's connection copies the whole WAL into the database file.
func TestCheckpointerCopiesWhatTheWriterLeaves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, "sqlite:"+filepath.Join(dir, "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// Stop the background loop, so that only this test checkpoints; its
	// connection stays open for the checkpoint below.
	s.checkpoints.stop()
	<-s.checkpoints.done

	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE pages (b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const commits = 1500 // each a page of its own, at least
	for range commits {
		if _, err := s.writer.ExecContext(ctx, `INSERT INTO pages (b) VALUES (randomblob(3000))`); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "w.db-wal"))
	if err != nil {
		t.Fatal(err)
	}
	// A WAL frame is a 24-byte header and a page; a WAL checkpointed and
	// restarted at 1,000 pages would not have grown past them.
	if frames := fi.Size() / (24 + 4096); frames < commits {
		t.Fatalf("the WAL holds %d frames after %d commits: the writer checkpointed", frames, commits)
	}

	left, err := s.checkpoints.checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d WAL frames left after the checkpointer's checkpoint, want 0", left)
	}
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM pages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != commits {
		t.Errorf("read %d rows after the checkpoint, want %d", n, commits)
	}
}
