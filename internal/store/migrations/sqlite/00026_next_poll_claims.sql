-- +goose Up
-- Every poll of a tracking followed by a serving process is claimed from
-- this table (see store.ClaimPolls), not only its first: the column that
-- held the first poll's due time holds the next poll's. It is the time
-- from which the poll may be claimed: the poll's due time, then the end of
-- a claim's lease, or a snoozed or failed poll's retry time; NULL when the
-- tracking has no poll to claim (stopped, delivered, expired, or polled by
-- a job of the queue: those queued before this migration are worked as
-- before and write their next poll here). A rename rewrites no row and
-- carries the partial index along; SQLite cannot rename an index, so the
-- index is made again under the column's name (one scan of the table,
-- indexing only the trackings with a poll due).
ALTER TABLE trackings RENAME COLUMN first_poll_due TO next_poll_due;
DROP INDEX trackings_first_poll_due;
CREATE INDEX trackings_next_poll_due ON trackings (next_poll_due, id) WHERE next_poll_due IS NOT NULL;

-- +goose Down
-- The release before this one claims a tracking's poll from this column
-- as its first poll, due at the tracking's next poll time, and queues the
-- polls after it as jobs: every poll held here is still made.
DROP INDEX trackings_next_poll_due;
ALTER TABLE trackings RENAME COLUMN next_poll_due TO first_poll_due;
CREATE INDEX trackings_first_poll_due ON trackings (first_poll_due, id) WHERE first_poll_due IS NOT NULL;
