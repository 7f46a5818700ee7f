-- +goose Up
-- PostgreSQL's 00028 compresses tracking documents with lz4. SQLite does
-- not compress; this keeps the two engines' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
