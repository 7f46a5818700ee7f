package tracking

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Version is a fingerprint of a tracking's stored row as one read returned
// it (store.TrackingVersion): two reads with the same Version returned
// the same row, so a face may reuse what it derived from the tracking
// alone (a rendered response). Compare it only within one process.
type Version [2]uint64

// Read is what GetAtKeyGenerationUnlessSeen read.
type Read struct {
	Tracking waybill.Tracking // unset when Seen
	Gen      int64            // the API key generation, read in the same snapshot
	Version  Version
	// Seen is set when the caller's seen function reported Version; then
	// only Gen and Version are set.
	Seen bool
}

// GetAtKeyGenerationUnlessSeen is GetAtKeyGeneration, except that when
// seen (which may be nil) reports the Version of the row read (the caller
// keeps what it made of a tracking of that Version), it returns Gen and
// Version with Seen set, without decoding the tracking. The read happens
// either way, so Seen means the stored tracking is exactly the one the
// caller's value was made from, as of a read that began after the call.
func (s *Service) GetAtKeyGenerationUnlessSeen(ctx context.Context, orgID int64, id string, seen func(Version) bool) (Read, error) {
	if !validID(id) {
		return Read{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	var seenStored func(store.TrackingVersion) bool
	if seen != nil {
		seenStored = func(v store.TrackingVersion) bool { return seen(Version(v)) }
	}
	r, err := s.Store.Read().TrackingAtKeyGenerationUnlessSeen(ctx, orgID, id, seenStored)
	if err != nil {
		return Read{}, err
	}
	return Read{Tracking: r.Tracking, Gen: r.Gen, Version: Version(r.Version), Seen: r.Seen}, nil
}
