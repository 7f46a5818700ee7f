-- +goose Up
-- A courier connection's credentials column now holds the credentials
-- sealed with WAYBILL_SECRET_KEY (internal/secretbox); credential_keys
-- names them, so that a connection can be shown without opening it.
-- Rows stored in plain text before are sealed by `waybill serve` at start.
ALTER TABLE courier_connections ADD COLUMN credential_keys TEXT NOT NULL DEFAULT '[]';
CREATE INDEX courier_connections_org_slug ON courier_connections (org_id, slug, id);

-- +goose Down
DROP INDEX courier_connections_org_slug;
ALTER TABLE courier_connections DROP COLUMN credential_keys;
