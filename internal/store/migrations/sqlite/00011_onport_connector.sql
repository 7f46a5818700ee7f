-- +goose Up
-- The Onport connector: an organization's connections to its Onport
-- account (the token sealed with WAYBILL_SECRET_KEY), the webhooks already
-- taken in (the dedupe of repeats), and which Waybill dropshipment each
-- Onport dropshipment became.
CREATE TABLE onport_connections (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT    NOT NULL UNIQUE,
    org_id             BIGINT  NOT NULL REFERENCES organizations (id),
    api_url            TEXT    NOT NULL,
    token_sealed       TEXT    NOT NULL,
    hook_token         TEXT    NOT NULL UNIQUE,
    channel_id         BIGINT  NOT NULL,
    write_tracking_url BOOLEAN NOT NULL DEFAULT FALSE,
    write_events       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);
CREATE INDEX onport_connections_org ON onport_connections (org_id, id);

CREATE TABLE onport_receipts (
    connection_id TEXT   NOT NULL,
    dedupe_key    TEXT   NOT NULL,
    org_id        BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    PRIMARY KEY (connection_id, dedupe_key)
);

CREATE TABLE onport_links (
    connection_id   TEXT   NOT NULL,
    remote_id       BIGINT NOT NULL,
    org_id          BIGINT NOT NULL,
    dropshipment_id BIGINT NOT NULL,
    tracking_id     TEXT   NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);
CREATE INDEX onport_links_tracking ON onport_links (org_id, tracking_id);

-- Tracking events posted to the Onport face (POST /api/tracking-events.json),
-- once per transaction id.
CREATE TABLE dropshipment_tracking_events (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT  NOT NULL REFERENCES organizations (id),
    dropshipment_id BIGINT  NOT NULL,
    transaction_id  TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    sub_status      TEXT    NOT NULL DEFAULT '',
    status_at       BIGINT  NOT NULL,
    details         TEXT    NOT NULL DEFAULT '',
    city            TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT '',
    zip             TEXT    NOT NULL DEFAULT '',
    country         TEXT    NOT NULL DEFAULT '',
    action_required BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX dropshipment_tracking_events_once ON dropshipment_tracking_events (org_id, transaction_id);
CREATE INDEX dropshipment_tracking_events_dropshipment ON dropshipment_tracking_events (org_id, dropshipment_id, id);

-- +goose Down
DROP TABLE dropshipment_tracking_events;
DROP TABLE onport_links;
DROP TABLE onport_receipts;
DROP TABLE onport_connections;
