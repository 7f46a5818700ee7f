-- +goose Up
-- Commerce events stored before snapshots left the channel's webhook hash
-- out still carry it in their detail, which /v1/events shows: drop it.
-- (|| '' makes the result plain text, so that detail stays a JSON string.)
UPDATE events
SET payload = json_set(payload, '$.detail', json_remove(json_extract(payload, '$.detail'), '$.channel.webhook_hash') || '')
WHERE type IN ('sale.dropship', 'dropshipment.fulfillment', 'dropshipment.acknowledged')
  AND json_valid(payload)
  AND json_valid(json_extract(payload, '$.detail'))
  AND json_extract(json_extract(payload, '$.detail'), '$.channel.webhook_hash') IS NOT NULL;

-- +goose Down
-- The hash is not put back.
SELECT 1;
