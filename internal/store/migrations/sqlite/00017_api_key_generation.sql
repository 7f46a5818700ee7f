-- +goose Up
-- A counter that every deletion or change of an API key moves on, in the deleting
-- transaction: instances cache authenticated keys and read this one row
-- per request to learn, at once, that some key was revoked anywhere.
CREATE TABLE api_key_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO api_key_generation (id, generation) VALUES (1, 0);
-- +goose StatementBegin
CREATE TRIGGER api_keys_revoked AFTER DELETE ON api_keys
BEGIN
    UPDATE api_key_generation SET generation = generation + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys
BEGIN
    UPDATE api_key_generation SET generation = generation + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER api_keys_changed;
DROP TRIGGER api_keys_revoked;
DROP TABLE api_key_generation;
