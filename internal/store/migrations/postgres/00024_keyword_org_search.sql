-- +goose Up
-- The tracking list's keyword filter (search_text LIKE '%…%') tests the
-- pattern on the entries of the organization's (org_id, search_text)
-- index, read alone, instead of the trigram index: a trigram index's
-- posting lists span every organization, and those of the trigrams every
-- email shares ("cus", "exa", ".co") cost 4,500 buffers (90-150 ms) for one
-- customer's email at a million trackings, where an organization's 10,000
-- entries cost 15 ms. A B-tree entry must stay under about 2,700 bytes, so
-- this index holds the search texts of up to 2,000 bytes, and
-- trackings_org_search_long the keys of the longer ones (none, usually);
-- ListTrackings reads both (searchIndexedBytes). SQLite has had its
-- trackings_org_search since 00018. The trigram index stays: the planner
-- may still combine it with another filter's index.
CREATE INDEX IF NOT EXISTS trackings_org_search ON trackings (org_id, search_text) INCLUDE (id)
    WHERE octet_length(search_text) <= 2000;
CREATE INDEX IF NOT EXISTS trackings_org_search_long ON trackings (org_id, id)
    WHERE octet_length(search_text) > 2000;

-- +goose Down
DROP INDEX IF EXISTS trackings_org_search_long;
DROP INDEX IF EXISTS trackings_org_search;
