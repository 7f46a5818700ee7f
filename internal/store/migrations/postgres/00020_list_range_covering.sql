-- +goose Up
-- The tracking list finds a page's keys on the filter's index first
-- (ListTrackings). For the created_at and updated_at ranges that index
-- lacked the key, so each match cost a heap page (389 random pages, 165 ms
-- cold, for a week of one organization among a million trackings); with
-- the key included the keys come from the index alone. SQLite needs no
-- change: its rowid is in every index.
DROP INDEX trackings_org_created;
CREATE INDEX trackings_org_created ON trackings (org_id, created_at) INCLUDE (id);
DROP INDEX trackings_org_updated;
CREATE INDEX trackings_org_updated ON trackings (org_id, updated_at) INCLUDE (id);

-- +goose Down
DROP INDEX trackings_org_updated;
CREATE INDEX trackings_org_updated ON trackings (org_id, updated_at);
DROP INDEX trackings_org_created;
CREATE INDEX trackings_org_created ON trackings (org_id, created_at);
