package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// On PostgreSQL, concurrent TrackingAtKeyGeneration calls are read in
// batches (groupReads): a warmed get costs the database about as much
// for its round trip (the backend's sleep, wake-up and socket) as for the
// statement itself, and a batch pays that once.

// trackingReadLoops and trackingReadMaxBatch bound the batched reads of
// trackings by id and of pages: batches read at once (each on a pooled
// connection of its own; SetReadBatchLoops changes it) and keys in one
// batch.
const (
	trackingReadLoops    = 4
	trackingReadMaxBatch = 64
)

// trackingKey names a tracking in its organization.
type trackingKey struct {
	orgID int64
	id    string
}

// trackingAtGeneration is a tracking's row as read with the key
// generation; found is false when the organization has no such tracking.
type trackingAtGeneration struct {
	found bool
	gen   int64
	row   trackingRow
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
// one statement (through pgx, readRows), into out.
func (q *Queries) trackingsAtGeneration(ctx context.Context, keys []trackingKey, out []trackingAtGeneration) error {
	if len(keys) == 1 {
		r := &out[0]
		err := q.readRow(ctx, trackingAtGenerationSQL, []any{keys[0].orgID, keys[0].id}, append([]any{&r.gen}, r.row.dest()...)...)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		r.found = err == nil
		return err
	}
	orgs, ids := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		orgs[i], ids[i] = k.orgID, k.id
	}
	return q.readRows(ctx, trackingsAtGenerationSQL, []any{orgs, ids}, func(scan func(dest ...any) error) error {
		var gen, ord int64
		var row trackingRow
		if err := scan(append([]any{&gen, &ord}, row.dest()...)...); err != nil {
			return err
		}
		if ord < 1 || ord > int64(len(out)) {
			return fmt.Errorf("store: batched tracking read returned key %d of %d", ord, len(out))
		}
		out[ord-1] = trackingAtGeneration{found: true, gen: gen, row: row}
		return nil
	})
}
