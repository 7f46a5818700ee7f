package main

import (
	"log/slog"

	"github.com/waybillhq/waybill/internal/store"
)

// logCommits logs, at info, what a group committer did while it ran: its
// transactions and their writes (the group-commit factor is their ratio)
// and the time it spent running their statements and then committing.
func logCommits(logger *slog.Logger, name string, g *store.GroupCommitter) {
	t := g.Timings()
	if t.Batches == 0 {
		return
	}
	logger.Info("group commit", "committer", name, "transactions", t.Batches, "writes", t.Items,
		"exec_us_per_tx", t.Exec.Microseconds()/t.Batches, "commit_us_per_tx", t.Commit.Microseconds()/t.Batches)
}
