-- +goose Up
ALTER TABLE trackings ADD COLUMN last_info_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX trackings_active_info ON trackings (active, last_info_at);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    type        TEXT    NOT NULL,
    tracking_id TEXT    NOT NULL DEFAULT '',
    tag         TEXT    NOT NULL DEFAULT '',
    first_tag   BOOLEAN NOT NULL DEFAULT FALSE,
    payload     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX events_org_created ON events (org_id, created_at);

CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT    NOT NULL UNIQUE,
    org_id          BIGINT  NOT NULL REFERENCES organizations (id),
    url             TEXT    NOT NULL,
    events          TEXT    NOT NULL,
    tags            TEXT    NOT NULL,
    api_version     TEXT    NOT NULL,
    secrets         TEXT    NOT NULL,
    enabled         BOOLEAN NOT NULL,
    disabled_reason TEXT    NOT NULL DEFAULT '',
    failing_since   BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, id);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT  NOT NULL REFERENCES organizations (id),
    event_id        BIGINT  NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint_id     BIGINT  NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);

CREATE TABLE delivery_attempts (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT  NOT NULL REFERENCES organizations (id),
    delivery_id   BIGINT  NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    endpoint_id   BIGINT  NOT NULL,
    event_id      BIGINT  NOT NULL,
    attempt       BIGINT  NOT NULL,
    status_code   BIGINT  NOT NULL,
    outcome       TEXT    NOT NULL,
    latency_us    BIGINT  NOT NULL,
    error         TEXT    NOT NULL DEFAULT '',
    response      TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL
);
CREATE INDEX delivery_attempts_endpoint ON delivery_attempts (endpoint_id, id);
CREATE INDEX delivery_attempts_event ON delivery_attempts (event_id, id);

-- +goose Down
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE events;
DROP INDEX trackings_active_info;
ALTER TABLE trackings DROP COLUMN last_info_at;
