-- +goose Up
-- A delivery whose first attempt is claimed from this table (see
-- store.ClaimDueDeliveries) rather than carried by a job of the queue
-- holds the time from which it may be claimed: when it was made, then the
-- end of a claim's lease, or a snoozed attempt's time. NULL for every
-- other delivery, and once the first attempt is recorded.
ALTER TABLE deliveries ADD COLUMN due_at INTEGER;
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE due_at IS NOT NULL;

-- +goose Down
DROP INDEX deliveries_due;
ALTER TABLE deliveries DROP COLUMN due_at;
