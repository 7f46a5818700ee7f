-- +goose Up
-- An endpoint's threshold for tracking_pending_time, in hours (0: none),
-- and which trackings each endpoint has already been told about: the
-- event goes once per tracking per endpoint.
ALTER TABLE webhook_endpoints ADD COLUMN pending_hours BIGINT NOT NULL DEFAULT 0;

CREATE TABLE pending_time_sent (
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    tracking_id BIGINT NOT NULL REFERENCES trackings (id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES organizations (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, tracking_id)
);
CREATE INDEX pending_time_sent_tracking ON pending_time_sent (tracking_id);
CREATE INDEX trackings_tag_created ON trackings (org_id, tag, created_at);

-- +goose Down
DROP INDEX trackings_tag_created;
DROP TABLE pending_time_sent;
ALTER TABLE webhook_endpoints DROP COLUMN pending_hours;
