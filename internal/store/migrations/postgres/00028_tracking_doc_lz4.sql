-- +goose Up
-- A tracking's document passes the 2 kB at which PostgreSQL compresses a
-- row's large values once it carries about five checkpoints (a document
-- with three is 1.4 kB, with ten 3.6 kB). Every read of such a tracking (a
-- v4 get, a page view, a list) decompresses it, and every write (a poll
-- that brings checkpoints, an update) compresses it again; with the
-- default pglz a write of a ten-checkpoint document cost the database
-- about 15 us of CPU more than with lz4, a twenty-five-checkpoint one 30 us
-- more, and a read about 1 us more (docs/benchmarks/api.md, session 8).
-- As 00023 did for events.payload: only values written from now on use
-- lz4; a server built without lz4, or older than PostgreSQL 14, keeps
-- pglz.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE 'ALTER TABLE trackings ALTER COLUMN doc SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'trackings.doc keeps its compression: %', SQLERRM;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE 'ALTER TABLE trackings ALTER COLUMN doc SET COMPRESSION default';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'trackings.doc keeps its compression: %', SQLERRM;
END
$$;
-- +goose StatementEnd
