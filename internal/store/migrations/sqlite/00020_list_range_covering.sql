-- +goose Up
-- PostgreSQL's 00020 adds the key to the created_at and updated_at
-- indexes of trackings. SQLite's indexes hold the rowid already; this
-- keeps the two engines' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
