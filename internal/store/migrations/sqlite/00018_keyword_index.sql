-- +goose Up
-- The keyword filter of the tracking list (search_text LIKE '%…%') cannot
-- search a B-tree by its pattern. With search_text beside org_id in an
-- index, the list reads the organization's index entries, tests the
-- pattern there and fetches only the matching rows, instead of reading
-- every tracking row (each a few kB with its document) of the
-- organization. ListTrackings names this index (INDEXED BY) for a keyword.
-- FTS5's trigram tokenizer would search by the pattern itself, but its
-- index spans all organizations and needs triggers on every tracking
-- write; see docs/ARCHITECTURE.md, "Queries and their indexes".
CREATE INDEX trackings_org_search ON trackings (org_id, search_text);

-- +goose Down
DROP INDEX trackings_org_search;
