// Package inbound takes Onport's asynchronous imports durably and fast, and
// processes them later in priority order.
//
// The Ingester is a group commit: one writer goroutine gathers the
// messages of concurrent requests for up to MaxWait (or MaxBatch messages),
// stores them in one transaction, commits (one fsync on SQLite), and only
// then answers every request of the batch. The inbound_messages table is
// the queue. The Processor works it: channels with pending messages are
// served round-robin, at most one worker per channel, each turn taking up
// to BatchSize messages in priority order (new sales before updates, then
// arrival). Each message's effects and its "done" or "failed" mark are
// written together, inside a savepoint of the turn's transaction, so a
// message is processed exactly once across crashes and a bad one cannot
// undo its neighbours. A run of consecutive valid manual sales, new ones and
// updates, is written together, in order, in one savepoint with all its
// outcomes (commerce.UpsertSales), with a few statements per table in all
// instead of about twenty per sale; a run that cannot be is applied one
// message at a time.
//
// Messages are stored as their raw bodies; the processor decodes each with
// the Decoder it is given (main hands it the Onport face's), so the
// package knows no wire format.
package inbound
