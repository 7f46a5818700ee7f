-- +goose Up
-- A tracking whose first poll is claimed from this table (see
-- store.ClaimFirstPolls) rather than carried by a poll job of the queue
-- holds the time from which it may be claimed: the poll's due time, then
-- the end of a claim's lease, or a snoozed or failed poll's retry time.
-- NULL for every other tracking (those made before this migration keep
-- their jobs), and once the first poll's transaction commits. Adding a
-- nullable column without a default rewrites no row; the partial index
-- holds only the trackings whose first poll has not run.
ALTER TABLE trackings ADD COLUMN first_poll_due INTEGER;
CREATE INDEX trackings_first_poll_due ON trackings (first_poll_due, id) WHERE first_poll_due IS NOT NULL;

-- +goose Down
DROP INDEX trackings_first_poll_due;
ALTER TABLE trackings DROP COLUMN first_poll_due;
