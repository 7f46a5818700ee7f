-- +goose Up
-- The Tracker API: the providers and pickup locations a business
-- configures, and its trackers, each a tracking (trackings.public_id) with
-- its order context in doc.
CREATE TABLE tracker_providers (
    id         INTEGER PRIMARY KEY,
    public_id  TEXT    NOT NULL UNIQUE,
    org_id     BIGINT  NOT NULL REFERENCES organizations (id),
    name       TEXT    NOT NULL,
    doc        TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE tracker_locations (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    external_id TEXT    NOT NULL,
    doc         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (org_id, external_id)
);

CREATE TABLE trackers (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    external_id TEXT    NOT NULL,
    tracking_id TEXT    NOT NULL,
    group_id    TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    provider    TEXT    NOT NULL,
    doc         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (org_id, external_id),
    UNIQUE (org_id, tracking_id)
);
CREATE INDEX trackers_org_group ON trackers (org_id, group_id, id);
CREATE INDEX trackers_org_created ON trackers (org_id, created_at);

-- A group announces each status once: the first tracker of the group to
-- reach it claims (group, tag), and the notifications of the others for
-- the same status are not sent.
CREATE TABLE tracker_group_notices (
    org_id     BIGINT NOT NULL REFERENCES organizations (id),
    group_id   TEXT   NOT NULL,
    tag        TEXT   NOT NULL,
    tracker_id TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, group_id, tag)
);

-- +goose Down
DROP TABLE tracker_group_notices;
DROP TABLE trackers;
DROP TABLE tracker_locations;
DROP TABLE tracker_providers;
