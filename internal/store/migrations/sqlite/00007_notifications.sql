-- +goose Up
-- Customer notifications: one row per (tracking, status, recipient),
-- decided in the transaction of the status change; the unique index is
-- what makes "never twice" hold across retries, crashes and instances.
CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
    public_id         TEXT    NOT NULL UNIQUE,
    org_id            BIGINT  NOT NULL REFERENCES organizations (id),
    tracking_id       TEXT    NOT NULL,
    event_id          TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    recipient         TEXT    NOT NULL,
    language          TEXT    NOT NULL DEFAULT '',
    delayed           BOOLEAN NOT NULL DEFAULT FALSE,
    due_at            BIGINT  NOT NULL,
    state             TEXT    NOT NULL,
    template          TEXT    NOT NULL DEFAULT '',
    provider_id       TEXT    NOT NULL DEFAULT '',
    message_id        TEXT    NOT NULL DEFAULT '',
    attempts          BIGINT  NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT '',
    unsubscribe_token TEXT    NOT NULL UNIQUE,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    sent_at           BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX notifications_once ON notifications (org_id, tracking_id, status, recipient);
CREATE INDEX notifications_org_created ON notifications (org_id, created_at);

CREATE TABLE notification_settings (
    org_id        BIGINT  NOT NULL PRIMARY KEY REFERENCES organizations (id),
    statuses      TEXT    NOT NULL,
    email         BOOLEAN NOT NULL,
    sms           BOOLEAN NOT NULL,
    delay_seconds BIGINT  NOT NULL DEFAULT 0,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE notification_templates (
    org_id     BIGINT NOT NULL REFERENCES organizations (id),
    status     TEXT   NOT NULL,
    language   TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    html       TEXT   NOT NULL,
    text       TEXT   NOT NULL,
    sms        TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, status, language)
);

-- Who unsubscribed from which tracking, and when.
CREATE TABLE notification_unsubscribes (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations (id),
    tracking_id TEXT   NOT NULL,
    channel     TEXT   NOT NULL,
    recipient   TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX notification_unsubscribes_tracking ON notification_unsubscribes (org_id, tracking_id);

-- +goose Down
DROP TABLE notification_unsubscribes;
DROP TABLE notification_templates;
DROP TABLE notification_settings;
DROP TABLE notifications;
