-- +goose Up
-- Indexes so that every list query searches an index rather than walking a
-- tenant's rows (or a whole table); internal/store/indexes_test.go checks the
-- plan of each query the store runs. See docs/ARCHITECTURE.md, "Queries and
-- their indexes".

-- v4 list filters: an equality filter with id last gives both the rows and
-- the newest-first order, so no plan prefers walking the organization.
CREATE INDEX trackings_org_tag_id ON trackings (org_id, tag, id);
CREATE INDEX trackings_org_slug_id ON trackings (org_id, slug, id);
CREATE INDEX trackings_org_updated ON trackings (org_id, updated_at);
DROP INDEX trackings_org_order;
CREATE INDEX trackings_org_order ON trackings (org_id, order_id, id);
DROP INDEX trackings_org_number;
CREATE INDEX trackings_org_number ON trackings (org_id, tracking_number, id);

-- GET /v1/webhooks/attempts without an endpoint or event filter.
CREATE INDEX delivery_attempts_org ON delivery_attempts (org_id, id);

-- The pending-time sweep reads only the endpoints that set a threshold.
CREATE INDEX webhook_endpoints_pending_hours ON webhook_endpoints (pending_hours);

-- +goose Down
DROP INDEX webhook_endpoints_pending_hours;
DROP INDEX delivery_attempts_org;
DROP INDEX trackings_org_number;
CREATE INDEX trackings_org_number ON trackings (org_id, tracking_number);
DROP INDEX trackings_org_order;
CREATE INDEX trackings_org_order ON trackings (org_id, order_id);
DROP INDEX trackings_org_updated;
DROP INDEX trackings_org_slug_id;
DROP INDEX trackings_org_tag_id;
