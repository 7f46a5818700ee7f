-- +goose Up
-- The delivery-date history reads an organization's latest Delivered
-- trackings of one courier (store.DeliveredParcels): newest first, without
-- sorting all of the courier's trackings.
CREATE INDEX trackings_org_slug_tag ON trackings (org_id, slug, tag, id);

-- +goose Down
DROP INDEX trackings_org_slug_tag;
