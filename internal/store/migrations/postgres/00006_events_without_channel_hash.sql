-- +goose Up
-- Commerce events stored before snapshots left the channel's webhook hash
-- out still carry it in their detail, which /v1/events shows: drop it.
UPDATE events
SET payload = jsonb_set(payload::jsonb, '{detail}',
    to_jsonb(((payload::jsonb ->> 'detail')::jsonb #- '{channel,webhook_hash}')::text))::text
WHERE type IN ('sale.dropship', 'dropshipment.fulfillment', 'dropshipment.acknowledged')
  AND payload LIKE '%webhook_hash%'
  AND (payload::jsonb ->> 'detail')::jsonb #> '{channel,webhook_hash}' IS NOT NULL;

-- +goose Down
-- The hash is not put back.
SELECT 1;
