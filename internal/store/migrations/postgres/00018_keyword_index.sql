-- +goose Up
-- The keyword filter of the tracking list (search_text LIKE '%…%') cannot
-- use a B-tree; a trigram GIN index (pg_trgm) finds the rows whose text
-- holds the keyword's trigrams. pg_trgm ships with PostgreSQL's contrib
-- package but may be missing or not creatable by this role: then the
-- migration warns and leaves the filter as it was (it reads the
-- organization's trackings), rather than failing the upgrade. The
-- extension goes in the public schema, so that dropping a schema of
-- Waybill's tables (tests, benchmarks) does not drop it from under the
-- others; the advisory lock keeps concurrent migrations from racing to
-- create it.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema name;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('waybill: create extension pg_trgm'));
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'waybill: pg_trgm is not available (%); the tracking list''s keyword filter will read every tracking of an organization', SQLERRM;
    END;
    SELECT n.nspname INTO ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX trackings_search_trgm ON trackings USING gin (search_text %I.gin_trgm_ops)', ext_schema);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS trackings_search_trgm;
