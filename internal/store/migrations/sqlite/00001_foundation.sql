-- +goose Up
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT  NOT NULL REFERENCES organizations (id),
    prefix     TEXT    NOT NULL UNIQUE,
    hash       BLOB    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX api_keys_org ON api_keys (org_id);

CREATE TABLE org_couriers (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    slug   TEXT   NOT NULL,
    PRIMARY KEY (org_id, slug)
);

CREATE TABLE trackings (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT    NOT NULL UNIQUE,
    org_id           BIGINT  NOT NULL REFERENCES organizations (id),
    slug             TEXT    NOT NULL,
    tracking_number  TEXT    NOT NULL,
    tag              TEXT    NOT NULL,
    active           BOOLEAN NOT NULL,
    origin_iso3      TEXT    NOT NULL DEFAULT '',
    destination_iso3 TEXT    NOT NULL DEFAULT '',
    order_id         TEXT    NOT NULL DEFAULT '',
    search_text      TEXT    NOT NULL DEFAULT '',
    return_to_sender BOOLEAN NOT NULL DEFAULT FALSE,
    delivery_days    BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    doc              TEXT    NOT NULL,
    UNIQUE (org_id, slug, tracking_number)
);
CREATE INDEX trackings_org_id ON trackings (org_id, id);
CREATE INDEX trackings_org_number ON trackings (org_id, tracking_number);
CREATE INDEX trackings_org_created ON trackings (org_id, created_at);

CREATE TABLE courier_connections (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    slug        TEXT    NOT NULL,
    credentials TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX courier_connections_org ON courier_connections (org_id, id);

-- +goose Down
DROP TABLE courier_connections;
DROP TABLE trackings;
DROP TABLE org_couriers;
DROP TABLE api_keys;
DROP TABLE organizations;
