-- +goose Up
-- A tracking's poll schedule moves out of its row into a narrow table of
-- its own: what a poll's claim, its end, a deferral and a reschedule write
-- is a row of three columns under two indexes, not the tracking's wide row
-- and its every index. A row holds the time from which the tracking's poll
-- may be claimed (see store.ClaimPolls): the poll's due time, then the end
-- of a claim's lease, or a snoozed or failed poll's retry time; NULL while
-- the tracking has no poll to claim (the row is kept, so that the next
-- poll's schedule is an update). A tracking without a row has none either.
-- Deleting the tracking deletes its row.
CREATE TABLE poll_schedule (
    public_id TEXT    PRIMARY KEY REFERENCES trackings (public_id) ON DELETE CASCADE,
    org_id    INTEGER NOT NULL,
    due       INTEGER
);
INSERT INTO poll_schedule (public_id, org_id, due)
    SELECT public_id, org_id, next_poll_due FROM trackings WHERE next_poll_due IS NOT NULL;
CREATE INDEX poll_schedule_due ON poll_schedule (due, public_id) WHERE due IS NOT NULL;
-- SQLite's DROP COLUMN rewrites every row of the table (gigabytes at a
-- million trackings): the column stays, unused and NULL, without its index.
UPDATE trackings SET next_poll_due = NULL WHERE next_poll_due IS NOT NULL;
DROP INDEX trackings_next_poll_due;

-- +goose Down
UPDATE trackings SET next_poll_due = (SELECT due FROM poll_schedule s WHERE s.public_id = trackings.public_id)
    WHERE public_id IN (SELECT public_id FROM poll_schedule WHERE due IS NOT NULL);
CREATE INDEX trackings_next_poll_due ON trackings (next_poll_due, id) WHERE next_poll_due IS NOT NULL;
DROP TABLE poll_schedule;
