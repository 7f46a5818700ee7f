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
// InitPlan for all): the trackings whose public id is one of $1's, in one
// scan of the unique public_id index for the whole array. A public id is
// unique across organizations, so each key has at most one row; the
// caller keeps a row only for the keys of its own organization
// (trackingsAtGeneration), so a key of another organization's tracking
// finds nothing, as under org_id = $1. The array comes from a subselect
// (cast, so that ANY takes it as an array, not as a subquery's rows) so
// that PostgreSQL estimates the keys alike whatever their number: with
// ANY($1) a custom plan counts the array's keys and always looks cheaper
// than the generic plan, so every batch was planned afresh
// (pg_prepared_statements: custom_plans only); through the subselect the
// statement switches to the generic plan after five executions, as other
// prepared statements do. This shape replaced a probe per key joined to
// the unnested keys (unnest WITH ORDINALITY, CROSS JOIN LATERAL): fewer
// plan nodes to set up per statement, one array to send instead of two,
// and a key asked twice in a batch read once.
var trackingsAtGenerationSQL = `SELECT (SELECT generation FROM api_key_generation WHERE id = 1), ` + trackingColumns + `
	FROM trackings WHERE public_id = ANY(CAST((SELECT $1::text[]) AS text[]))`

// newTrackingReads returns the group reads of trackings by id on the
// PostgreSQL pool db.
func newTrackingReads(db *sql.DB) *groupReads[trackingKey, trackingAtGeneration] {
	q := &Queries{engine: Postgres, pg: db}
	return &groupReads[trackingKey, trackingAtGeneration]{read: q.trackingsAtGeneration,
		loops: trackingReadLoops, maxBatch: trackingReadMaxBatch}
}

// trackingsAtGeneration reads keys' trackings with the key generation in
// one statement (through pgx, pgxQuery), into out, from the rows' raw
// bytes (rawTracking). A row answers every key of its id and its
// organization: a key of another organization's id stays not found.
func (q *Queries) trackingsAtGeneration(ctx context.Context, keys []trackingKey, out []trackingAtGeneration) error {
	if len(keys) == 1 {
		return q.pgxEachRow(ctx, trackingAtGenerationSQL, []any{keys[0].orgID, keys[0].id}, func(rows pgx.Rows) error {
			var r rawTrackingAtGeneration
			if out[0].found {
				return nil
			} else if err := r.read(rows); err != nil {
				return err
			}
			out[0] = r.answer(&keys[0])
			return nil
		})
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	return q.pgxEachRow(ctx, trackingsAtGenerationSQL, []any{ids}, func(rows pgx.Rows) error {
		var r rawTrackingAtGeneration
		if err := r.read(rows); err != nil {
			return err
		}
		// Every key of this id, in the row's organization only.
		for i := range keys {
			if keys[i].orgID == r.orgID && keys[i].id == bytesView(r.publicID) {
				out[i] = r.answer(&keys[i])
			}
		}
		return nil
	})
}

// rawTrackingAtGeneration is a row of the reads of trackings with the key
// generation (the generation, then trackingColumns) as pgx received it,
// with what its keys' answers made of it so far: the version summed once
// and the row copied once, however many keys of the batch it answers.
type rawTrackingAtGeneration struct {
	gen int64
	rawTracking
	version       TrackingVersion
	summed, moved bool
	row           trackingRow
}

// read reads the current row of rows.
func (r *rawTrackingAtGeneration) read(rows pgx.Rows) error {
	if vals := rows.RawValues(); len(vals) != 1+trackingColumnCount || vals[0] == nil {
		return fmt.Errorf("store: a tracking read returned %d columns, or no key generation", len(vals))
	}
	var err error
	if r.gen, err = rawInt(rows, 0); err != nil {
		return err
	}
	return readRawTracking(rows, 1, &r.rawTracking)
}

// answer is the row as key's caller gets it: when key.seen reports the
// row's version, without the row (summed where pgx read it, never
// copied); else with it.
func (r *rawTrackingAtGeneration) answer(key *trackingKey) trackingAtGeneration {
	out := trackingAtGeneration{found: true, gen: r.gen}
	if key.seen != nil {
		if !r.summed {
			v := newPageVersioner()
			r.addTo(v)
			r.version, r.summed = TrackingVersion(v.sum()), true
		}
		out.version = r.version
		if out.seen = key.seen(r.version); out.seen {
			return out
		}
	}
	if !r.moved {
		r.row, r.moved = r.rawTracking.row(), true
	}
	out.row = r.row
	return out
}
