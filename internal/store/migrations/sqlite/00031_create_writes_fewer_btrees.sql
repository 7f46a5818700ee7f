-- +goose Up
-- A create writes its tracking into the table and every index of
-- trackings, and its first poll into poll_schedule; at its commit each
-- B-tree it changed is at least one page in the WAL (docs/benchmarks/api.md,
-- session 12: 50 frames per commit of 16 creates). Four of those B-trees
-- need not change for a new tracking:
--
-- The delivery-date history (store.DeliveredParcels) reads only Delivered
-- trackings: its index holds only those, and a new tracking, Pending, is
-- not in it.
DROP INDEX trackings_org_slug_tag;
CREATE INDEX trackings_org_slug_delivered ON trackings (org_id, slug, id) WHERE tag = 'Delivered';
-- The order page finds trackings by order number (store.OrderTrackings):
-- a tracking without one (no order_number in its document) is never found
-- that way. The condition is a test for the key's text, not json_extract:
-- SQLite evaluates it at every insert and at every update of the document
-- (each poll), and json_extract parses the whole document; only when it
-- holds is the key extracted. It can hold without a top-level order number
-- (the text as a key of custom_fields): the entry's key is then NULL, which
-- no lookup finds. It cannot fail to hold with one: encoding/json writes
-- the key as it is. The query repeats the condition so that SQLite uses
-- the index.
DROP INDEX trackings_org_order_number;
CREATE INDEX trackings_org_order_number ON trackings (org_id, json_extract(doc, '$.order_number'))
    WHERE instr(doc, '"order_number"') > 0;
-- Nor by order id without one: every query by order id says
-- order_id <> '' in its text, so that SQLite can use this index.
DROP INDEX trackings_org_order;
CREATE INDEX trackings_org_order ON trackings (org_id, order_id, id) WHERE order_id <> '';
-- poll_schedule is read and written only by its key (and through its due
-- index, which holds the key): stored in the key's B-tree, a row is one
-- B-tree to write instead of two (the rowid table and the key's index).
CREATE TABLE poll_schedule_by_key (
    public_id TEXT    PRIMARY KEY REFERENCES trackings (public_id) ON DELETE CASCADE,
    org_id    INTEGER NOT NULL,
    due       INTEGER
) WITHOUT ROWID;
INSERT INTO poll_schedule_by_key (public_id, org_id, due) SELECT public_id, org_id, due FROM poll_schedule;
DROP TABLE poll_schedule;
ALTER TABLE poll_schedule_by_key RENAME TO poll_schedule;
CREATE INDEX poll_schedule_due ON poll_schedule (due, public_id) WHERE due IS NOT NULL;

-- +goose Down
CREATE TABLE poll_schedule_by_rowid (
    public_id TEXT    PRIMARY KEY REFERENCES trackings (public_id) ON DELETE CASCADE,
    org_id    INTEGER NOT NULL,
    due       INTEGER
);
INSERT INTO poll_schedule_by_rowid (public_id, org_id, due) SELECT public_id, org_id, due FROM poll_schedule;
DROP TABLE poll_schedule;
ALTER TABLE poll_schedule_by_rowid RENAME TO poll_schedule;
CREATE INDEX poll_schedule_due ON poll_schedule (due, public_id) WHERE due IS NOT NULL;
DROP INDEX trackings_org_order;
CREATE INDEX trackings_org_order ON trackings (org_id, order_id, id);
DROP INDEX trackings_org_order_number;
CREATE INDEX trackings_org_order_number ON trackings (org_id, json_extract(doc, '$.order_number'));
DROP INDEX trackings_org_slug_delivered;
CREATE INDEX trackings_org_slug_tag ON trackings (org_id, slug, tag, id);
