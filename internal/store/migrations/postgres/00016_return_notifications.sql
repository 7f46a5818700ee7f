-- +goose Up
-- A return's shopper emails are notifications too: return_id names the
-- return a notification (or an unsubscribe) is about, '' for a tracking's.
-- "Never twice" becomes one message per (tracking or return, status,
-- recipient); a return's status is its event name (return.approved).
ALTER TABLE notifications ADD COLUMN return_id TEXT NOT NULL DEFAULT '';
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications (org_id, tracking_id, return_id, status, recipient);
CREATE INDEX notifications_org_return ON notifications (org_id, return_id);
ALTER TABLE notification_unsubscribes ADD COLUMN return_id TEXT NOT NULL DEFAULT '';
CREATE INDEX notification_unsubscribes_return ON notification_unsubscribes (org_id, return_id);

-- +goose Down
DROP INDEX notification_unsubscribes_return;
ALTER TABLE notification_unsubscribes DROP COLUMN return_id;
DROP INDEX notifications_org_return;
DROP INDEX notifications_once;
ALTER TABLE notifications DROP COLUMN return_id;
CREATE UNIQUE INDEX notifications_once ON notifications (org_id, tracking_id, status, recipient);
