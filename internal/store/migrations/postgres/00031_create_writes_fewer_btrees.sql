-- +goose Up
-- SQLite's 00031 narrows three indexes of trackings to the rows their
-- queries read and stores poll_schedule in its key's B-tree, so that a
-- create writes fewer B-trees. PostgreSQL keeps its indexes; the queries
-- it shares with SQLite (order_id <> '', tag = 'Delivered' in their text)
-- read the same rows through them. This keeps the two engines' versions
-- in step.
SELECT 1;

-- +goose Down
SELECT 1;
