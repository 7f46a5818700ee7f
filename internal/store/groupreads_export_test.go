package store

import "time"

// HoldBatchedReads makes s's batched reads (PostgreSQL: trackings by id,
// tokens' pages) run one batch of each kind at a time, and calls hold on
// the reading goroutine after each batch's statement, before its callers
// get their answers. Call it before s is shared between goroutines. It
// reports false when s does not batch reads (SQLite).
func (s *Store) HoldBatchedReads(hold func(keys int)) bool {
	if s.trackingReads == nil {
		return false
	}
	s.trackingReads.loops, s.trackingReads.afterRead = 1, hold
	s.pageReads.loops, s.pageReads.afterRead = 1, hold
	return true
}

// WaitBatchedReadsQueued waits until n calls wait for a batch (of either
// kind) that has not started.
func (s *Store) WaitBatchedReadsQueued(n int) {
	for s.trackingReads.queued()+s.pageReads.queued() < n {
		time.Sleep(time.Millisecond)
	}
}

// SetBatchedReadLoops sets how many batches of each kind s reads at once
// (0: none batched, every read on its own, as on SQLite). Call it before
// s is shared between goroutines.
func (s *Store) SetBatchedReadLoops(n int) {
	if n == 0 {
		s.trackingReads, s.pageReads = nil, nil
		return
	}
	s.trackingReads.loops, s.pageReads.loops = n, n
}

// BatchedReadStatements are the statements of the batched reads of
// trackings by id (keys: organization ids and public ids) and of tokens'
// pages (keys: tokens), as the store runs them.
var BatchedReadStatements = []string{trackingsAtGenerationSQL, trackingPagesSQL}
