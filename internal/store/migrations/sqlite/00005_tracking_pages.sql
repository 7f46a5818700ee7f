-- +goose Up
-- Hosted tracking pages. Every tracking has a random page token (the
-- /t/{token} link); trackings stored before this migration get one here.
-- randomblob draws on SQLite's PRNG, which the unix VFS seeds from the OS.
ALTER TABLE trackings ADD COLUMN page_token TEXT;
UPDATE trackings SET page_token = lower(hex(randomblob(16))) WHERE page_token IS NULL;
CREATE UNIQUE INDEX trackings_page_token ON trackings (page_token);
-- The order view and the portal's order lookup find an order's trackings.
CREATE INDEX trackings_org_order ON trackings (org_id, order_id);
CREATE INDEX trackings_org_order_number ON trackings (org_id, json_extract(doc, '$.order_number'));

-- An organization's branding, masking and custom host for its pages.
CREATE TABLE org_pages (
    org_id      BIGINT PRIMARY KEY REFERENCES organizations (id),
    custom_host TEXT   UNIQUE,
    settings    TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE org_pages;
DROP INDEX trackings_org_order_number;
DROP INDEX trackings_org_order;
DROP INDEX trackings_page_token;
ALTER TABLE trackings DROP COLUMN page_token;
