-- +goose Up
-- A push writes ten deliveries, and each delivery one attempt: the hottest
-- inserts of webhook delivery. Their foreign keys to organizations,
-- events and deliveries cost more than the rows: each checked row ran a
-- query of its own and locked the parent row (FOR KEY SHARE, a WAL record;
-- a MultiXact when the ten concurrent pushes of one organization lock its
-- one row), 30-55 % of the inserts' time. Those parents are never deleted
-- but by the cascade below, and the rows are written from parents read in
-- the same transaction: an event's deliveries with the event, an attempt
-- from its delivery's row (store.FinishAttempts joins it). The key to the
-- endpoint stays: deleting an endpoint deletes its deliveries through it,
-- and store.DeleteEndpoint deletes their attempts (the cascade from
-- deliveries that this drops) in the same transaction.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_org_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_fkey;
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_org_id_fkey;
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_delivery_id_fkey;
-- The event's index served only the event key's cascade (no query reads
-- deliveries by event): one index entry fewer for each of a delivery's
-- three row versions (insert, claim, record; none of them is a HOT update,
-- since due_at is indexed).
DROP INDEX deliveries_event;

-- +goose Down
CREATE INDEX deliveries_event ON deliveries (event_id);
ALTER TABLE delivery_attempts ADD CONSTRAINT delivery_attempts_delivery_id_fkey
    FOREIGN KEY (delivery_id) REFERENCES deliveries (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE delivery_attempts ADD CONSTRAINT delivery_attempts_org_id_fkey
    FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_org_id_fkey
    FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;
