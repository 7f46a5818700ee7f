-- +goose Up
-- Newest-first paging walks an index in order instead of sorting an
-- organization's rows at every page: /v1/api-logs (inbound messages by id
-- descending) and the tracker list. internal/store/indexes_test.go checks
-- that these pages plan no sort.
CREATE INDEX inbound_org_id ON inbound_messages (org_id, id);
CREATE INDEX trackers_org_id ON trackers (org_id, id);

-- +goose Down
DROP INDEX trackers_org_id;
DROP INDEX inbound_org_id;
