-- +goose Up
-- A counter that every deletion or change of an API key moves on, in the deleting
-- transaction: instances cache authenticated keys and read this one row
-- per request to learn, at once, that some key was revoked anywhere.
CREATE TABLE api_key_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO api_key_generation (id, generation) VALUES (1, 0);
-- +goose StatementBegin
CREATE FUNCTION api_keys_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_key_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER api_keys_revoked AFTER DELETE OR UPDATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_revoked();

-- +goose Down
DROP TRIGGER api_keys_revoked ON api_keys;
DROP FUNCTION api_keys_revoked();
DROP TABLE api_key_generation;
