-- +goose Up
-- PostgreSQL's 00024 adds the (org_id, search_text) index the keyword
-- filter reads; SQLite has had trackings_org_search since 00018. This keeps
-- the two engines' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
