package store

// HoldCommits makes hold run after each transaction's statements and
// before its commit, on the committer's goroutine; call it before Run.
func (g *GroupCommitter) HoldCommits(hold func()) { g.beforeCommit = hold }
