-- +goose Up
-- A channel's fulfillment webhook is a webhook endpoint owned by the
-- channel: it hears only that channel's events and sends fixed headers
-- (the channel's jetti-webhook-hash) with every delivery.
ALTER TABLE webhook_endpoints ADD COLUMN channel_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN channel_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX webhook_endpoints_channel ON webhook_endpoints (org_id, channel_id);

-- +goose Down
DROP INDEX webhook_endpoints_channel;
ALTER TABLE events DROP COLUMN channel_id;
ALTER TABLE webhook_endpoints DROP COLUMN headers;
ALTER TABLE webhook_endpoints DROP COLUMN channel_id;
