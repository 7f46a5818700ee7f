package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/waybillhq/waybill"
)

// TrackingVersion is a 128-bit fingerprint of a tracking's row as read
// (every column a read of the tracking decodes: its key, organization,
// times, document and page token), summed as PageVersion is, with the
// same per-process random seeds: two reads with the same TrackingVersion
// returned the same row, so whatever is derived from the tracking alone
// (a rendered response) may be reused for the other; any committed change
// to the row gives another. Compare it only within the process that
// computed it. The zero value means none was taken.
type TrackingVersion [2]uint64

// TrackingRead is what TrackingAtKeyGenerationUnlessSeen read.
type TrackingRead struct {
	Tracking waybill.Tracking // unset when Seen
	Gen      int64            // the API key generation, read with the row
	Version  TrackingVersion
	// Seen is set when the caller's seen function reported Version: the
	// document was not decoded and Tracking is unset.
	Seen bool
}

// TrackingAtKeyGenerationUnlessSeen is TrackingAtKeyGeneration, except
// that when seen (which may be nil) reports the Version of the row read
// (the caller holds what it derived from that very row), it returns
// Version and Gen with Seen set, without decoding the document. The read
// itself happens either way, in the same statement and with the same
// guarantees (read-your-writes, the organization's own trackings only,
// ENOTFOUND and no generation for a tracking it does not have), so Seen
// means the stored row is exactly what the caller's value was made from.
// seen may be called on another goroutine (the batch's, on PostgreSQL),
// before this returns, and not at all when the read fails or finds nothing.
func (q *Queries) TrackingAtKeyGenerationUnlessSeen(ctx context.Context, orgID int64, id string, seen func(TrackingVersion) bool) (TrackingRead, error) {
	r, err := q.trackingRowAtKeyGeneration(ctx, trackingKey{orgID: orgID, id: id, seen: seen})
	if err != nil {
		return TrackingRead{}, err
	} else if !r.found {
		return TrackingRead{}, trackingNotFound()
	}
	out := TrackingRead{Gen: r.gen, Version: r.version, Seen: r.seen}
	if out.Seen {
		return out, nil
	}
	if out.Tracking, err = r.row.tracking(); err != nil {
		return TrackingRead{}, err
	}
	return out, nil
}

// trackingRowAtKeyGeneration reads the organization's tracking row with
// the key generation in one statement: on PostgreSQL outside a
// transaction in a batch (groupReads), else alone. found is false when the
// organization has no such tracking. When key.seen is set it is asked
// with the row's version (on the batch's goroutine, in a batch), and the
// document is left out when it reports it.
func (q *Queries) trackingRowAtKeyGeneration(ctx context.Context, key trackingKey) (trackingAtGeneration, error) {
	if q.trackingReads != nil {
		r, err := q.trackingReads.get(ctx, key)
		if err != nil {
			return r, fmt.Errorf("read tracking: %w", err)
		}
		return r, nil
	}
	var r trackingAtGeneration
	err := q.row(ctx, trackingAtGenerationSQL, key.orgID, key.id).Scan(append([]any{&r.gen}, r.row.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return trackingAtGeneration{}, nil
	} else if err != nil {
		return trackingAtGeneration{}, fmt.Errorf("read tracking: %w", err)
	}
	r.found = true
	if key.seen != nil {
		r.version = r.row.version()
		r.seen = key.seen(r.version)
	}
	return r, nil
}

// version sums every column of the row (pageVersioner's sums).
func (r *trackingRow) version() TrackingVersion {
	v := newPageVersioner()
	v.addTrackingColumns(r.seq, r.publicID, r.orgID, r.created, r.updated, r.doc, r.pageToken)
	return TrackingVersion(v.sum())
}
