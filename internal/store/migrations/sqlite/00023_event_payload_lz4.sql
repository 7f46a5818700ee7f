-- +goose Up
-- PostgreSQL's 00023 compresses event payloads with lz4. SQLite does not
-- compress; this keeps the two engines' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
