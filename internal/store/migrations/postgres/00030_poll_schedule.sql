-- +goose Up
-- A tracking's poll schedule moves out of its row into a narrow table of
-- its own: what a poll's claim, its end, a deferral and a reschedule write
-- is a row of three columns under two indexes, not a version of the
-- tracking's row under every index of trackings (19 at this migration; the
-- claim changed an indexed column, so no update of it was HOT). A row holds
-- the time from which the tracking's poll may be claimed (see
-- store.ClaimPolls): the poll's due time, then the end of a claim's lease,
-- or a snoozed or failed poll's retry time; NULL while the tracking has no
-- poll to claim (the row is kept, so that the next poll's schedule is an
-- update, not an insert with its foreign key check). A tracking without a
-- row has none either. Deleting the tracking deletes its row.
CREATE TABLE poll_schedule (
    public_id TEXT   PRIMARY KEY,
    org_id    BIGINT NOT NULL,
    due       BIGINT
);
INSERT INTO poll_schedule (public_id, org_id, due)
    SELECT public_id, org_id, next_poll_due FROM trackings WHERE next_poll_due IS NOT NULL;
CREATE INDEX poll_schedule_due ON poll_schedule (due, public_id) WHERE due IS NOT NULL;
-- The foreign key after the rows: one check of them all, not a lock of
-- each tracking's row by a check per row (11.2 s of 12.7 for 59,670 rows
-- at a million trackings).
ALTER TABLE poll_schedule ADD CONSTRAINT poll_schedule_public_id_fkey
    FOREIGN KEY (public_id) REFERENCES trackings (public_id) ON DELETE CASCADE;
-- Dropping the column rewrites no row; its partial index goes with it.
ALTER TABLE trackings DROP COLUMN next_poll_due;

-- +goose Down
ALTER TABLE trackings ADD COLUMN next_poll_due BIGINT;
UPDATE trackings t SET next_poll_due = s.due FROM poll_schedule s WHERE s.public_id = t.public_id AND s.due IS NOT NULL;
CREATE INDEX trackings_next_poll_due ON trackings (next_poll_due, id) WHERE next_poll_due IS NOT NULL;
DROP TABLE poll_schedule;
