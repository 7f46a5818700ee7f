-- +goose Up
-- An event's payload is about 2.3 kB for an Onport sale.dropship (a
-- snapshot of the sale, its lines and purchases), past the 2 kB at which
-- PostgreSQL compresses a row's large values; with the default pglz that
-- compression cost more of the database's CPU per processed sale than any
-- statement of the turn. lz4 compresses (and decompresses) several times
-- faster. Only values written from now on use it. A server built without
-- lz4, or older than PostgreSQL 14, keeps pglz.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE 'ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'events.payload keeps its compression: %', SQLERRM;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE 'ALTER TABLE events ALTER COLUMN payload SET COMPRESSION default';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'events.payload keeps its compression: %', SQLERRM;
END
$$;
-- +goose StatementEnd
