package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL, concurrent TrackingAtKeyGeneration calls are read in
// batches (groupReads): a warmed get costs the database about as much
// for its round trip (the backend's sleep, wake-up and socket) as for the
// statement itself, and a batch pays that once.

// trackingReadLoops and trackingReadMaxBatch bound the batched reads of
// trackings by id and of pages: batches read at once (each on a pooled
// connection of its own; SetReadBatchLoops changes it) and keys in one
// batch. One loop: on a 2-vCPU machine with PostgreSQL beside the server,
// 4 loops split the waiting reads into batches of 2 to 3 and paid a
// statement's fixed cost for each; 1 loop served 4-14 % more gets than 2
// and 2 more than 4, in every quiet round (docs/benchmarks/api.md,
// session 14). A busy shared database wants more (SetReadBatchLoops).
const (
	trackingReadLoops    = 1
	trackingReadMaxBatch = 64
)

// trackingKey names a tracking in its organization, with its caller's
// seen (TrackingAtKeyGenerationUnlessSeen), which may be nil.
type trackingKey struct {
	orgID int64
	id    string
	// seen is asked, on the batch's goroutine while the row is scanned,
	// whether the caller holds what it made of the row's version: then
	// the document is hashed where pgx read it and never copied.
	seen func(TrackingVersion) bool
}

// trackingAtGeneration is a tracking's row as read with the key
// generation; found is false when the organization has no such tracking.
// With the key's seen set, version is the row's, and seen is what seen
// reported: then row is unset.
type trackingAtGeneration struct {
	found   bool
	gen     int64
	row     trackingRow
	version TrackingVersion
	seen    bool
}

// trackingAtGenerationSQL reads one tracking with the key generation
// (TrackingAtKeyGeneration alone).
const trackingAtGenerationSQL = `SELECT (SELECT generation FROM api_key_generation WHERE id = 1), ` + trackingColumns + `
		FROM trackings WHERE org_id = $1 AND public_id = $2`

// trackingsAtGenerationSQL reads many with the key generation (one
// InitPlan for all), each key's row found by its own probe of the
// unique public_id index (LATERAL, OFFSET 0 keeps the subquery from being
// flattened into a join the planner may turn into a scan) and only under
// its own organization; ord gives the key's place. The arrays are
// unnested from subselects so that PostgreSQL estimates the keys alike
// whatever their number: with unnest($1) a custom plan counts the array's
// keys and always looks cheaper than the generic plan, so every batch was
// planned afresh (pg_prepared_statements: custom_plans only); the same
// shape through (SELECT $1) switches to the generic plan after five
// executions, as other prepared statements do.
var trackingsAtGenerationSQL = `SELECT (SELECT generation FROM api_key_generation WHERE id = 1), k.ord, ` +
	prefixColumns("t.", trackingColumns) + `
	FROM unnest((SELECT $1::bigint[]), (SELECT $2::text[])) WITH ORDINALITY AS k(org_id, public_id, ord) CROSS JOIN LATERAL (
		SELECT ` + trackingColumns + ` FROM trackings x WHERE x.org_id = k.org_id AND x.public_id = k.public_id OFFSET 0) AS t`

// newTrackingReads returns the group reads of trackings by id on the
// PostgreSQL pool db.
func newTrackingReads(db *sql.DB) *groupReads[trackingKey, trackingAtGeneration] {
	q := &Queries{engine: Postgres, pg: db}
	return &groupReads[trackingKey, trackingAtGeneration]{read: q.trackingsAtGeneration,
		loops: trackingReadLoops, maxBatch: trackingReadMaxBatch}
}

// trackingsAtGeneration reads keys' trackings with the key generation in
// one statement (through pgx, pgxEachRow), into out, from the rows' raw
// bytes (rawTracking).
func (q *Queries) trackingsAtGeneration(ctx context.Context, keys []trackingKey, out []trackingAtGeneration) error {
	if len(keys) == 1 {
		return q.pgxEachRow(ctx, trackingAtGenerationSQL, []any{keys[0].orgID, keys[0].id}, func(rows pgx.Rows) error {
			if out[0].found {
				return nil
			}
			return readTrackingAtGeneration(rows, 1, &keys[0], &out[0])
		})
	}
	orgs, ids := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		orgs[i], ids[i] = k.orgID, k.id
	}
	return q.pgxEachRow(ctx, trackingsAtGenerationSQL, []any{orgs, ids}, func(rows pgx.Rows) error {
		i, err := rawOrd(rows, 1, len(keys))
		if err != nil {
			return err
		}
		return readTrackingAtGeneration(rows, 2, &keys[i], &out[i])
	})
}

// readTrackingAtGeneration reads the current row of rows, the generation
// in its first column and trackingColumns from column from on, into r as
// key's caller gets it: when key.seen reports the row's version, without
// the document (summed where pgx read it, never copied); else with it.
func readTrackingAtGeneration(rows pgx.Rows, from int, key *trackingKey, r *trackingAtGeneration) error {
	if rows.RawValues()[0] == nil {
		return fmt.Errorf("store: a tracking read returned no key generation")
	}
	gen, err := rawInt(rows, 0)
	if err != nil {
		return err
	}
	var raw rawTracking
	if err := readRawTracking(rows, from, &raw); err != nil {
		return err
	}
	*r = trackingAtGeneration{found: true, gen: gen}
	if key.seen != nil {
		v := newPageVersioner()
		raw.addTo(v)
		r.version = TrackingVersion(v.sum())
		if r.seen = key.seen(r.version); r.seen {
			return nil
		}
	}
	r.row = raw.row()
	return nil
}
