package store

import (
	"context"
	"database/sql"
	"fmt"
	"unsafe"

	"github.com/jackc/pgx/v5/pgtype"
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
// reported: then row.doc is unset.
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
// one statement (through pgx, readRows), into out.
func (q *Queries) trackingsAtGeneration(ctx context.Context, keys []trackingKey, out []trackingAtGeneration) error {
	var r scannedTracking
	if len(keys) == 1 {
		dest := r.dest(false)
		return q.readRows(ctx, trackingAtGenerationSQL, []any{keys[0].orgID, keys[0].id}, func(scan func(dest ...any) error) error {
			if out[0].found {
				return nil
			}
			if err := scan(dest...); err != nil {
				return err
			}
			out[0] = r.read(&keys[0])
			return nil
		})
	}
	orgs, ids := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		orgs[i], ids[i] = k.orgID, k.id
	}
	dest := r.dest(true)
	return q.readRows(ctx, trackingsAtGenerationSQL, []any{orgs, ids}, func(scan func(dest ...any) error) error {
		if err := scan(dest...); err != nil {
			return err
		}
		if r.ord < 1 || r.ord > int64(len(out)) {
			return fmt.Errorf("store: batched tracking read returned key %d of %d", r.ord, len(out))
		}
		out[r.ord-1] = r.read(&keys[r.ord-1])
		return nil
	})
}

// scannedTracking is a row of the batched reads as pgx scanned it, the
// document and the page token still in pgx's buffer (pgtype.DriverBytes:
// valid until the next row; nil for NULL), so that a row whose version
// the caller has seen is summed where it lies and never copied.
type scannedTracking struct {
	gen, ord   int64
	row        trackingRow // but doc and pageToken
	doc, token pgtype.DriverBytes
}

// dest is the row's columns: the generation, with ord the key's place,
// then trackingColumns.
func (s *scannedTracking) dest(ord bool) []any {
	d := []any{&s.gen, &s.ord, &s.row.seq, &s.row.publicID, &s.row.orgID, &s.row.created, &s.row.updated, &s.doc, &s.token}
	if !ord {
		d = append(d[:1], d[2:]...)
	}
	return d
}

// read is the row as key's caller gets it: when key.seen reports the
// row's version, without the document; else with it (copied).
func (s *scannedTracking) read(key *trackingKey) trackingAtGeneration {
	out := trackingAtGeneration{found: true, gen: s.gen, row: s.row}
	if key.seen != nil {
		v := newPageVersioner()
		v.addTrackingColumns(s.row.seq, s.row.publicID, s.row.orgID, s.row.created, s.row.updated, bytesView(s.doc), nullView(s.token))
		out.version = TrackingVersion(v.sum())
		if out.seen = key.seen(out.version); out.seen {
			return out
		}
	}
	out.row.doc, out.row.pageToken = string(s.doc), sql.NullString{Valid: s.token != nil, String: string(s.token)}
	return out
}

// bytesView is b as a string without a copy, for summing within the
// call only: it must not be kept, since pgx reuses b's memory.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// nullView is a nullable column as pgx received it (nil for NULL) viewed
// as bytesView does: for summing within the call only.
func nullView(b []byte) sql.NullString { return sql.NullString{String: bytesView(b), Valid: b != nil} }
