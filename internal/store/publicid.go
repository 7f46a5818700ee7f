package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// NewPublicID returns a 32-character hex id, the form AfterShip uses for
// tracking ids. Its first 12 characters are the creation time in
// milliseconds since the Unix epoch, the other 20 are 80 random bits, so
// ids cannot be enumerated or guessed, and those made later sort after
// those made earlier (ids of one millisecond in random order).
//
// The time prefix is for the store: a random key lands anywhere in the
// trackings' public_id index, so each create dirtied a page of its own
// (a third of the WAL a SQLite create writes went to the two random-key
// indexes); ids made at about the same time share the index's last pages.
// AfterShip's own ids carry their creation time the same way.
func NewPublicID() string {
	return newPublicIDAt(time.Now())
}

// newPublicIDAt is NewPublicID for a creation time of at.
func newPublicIDAt(at time.Time) string {
	b := timeOrderedBytes(at)
	return hex.EncodeToString(b[:])
}

// timeOrderedBytes returns 16 bytes: at in milliseconds since the Unix
// epoch (6 bytes, big-endian), then 10 from crypto/rand (80 bits). Public
// ids and page tokens are these bytes encoded.
func timeOrderedBytes(at time.Time) [16]byte {
	var b [16]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(b[:6], ms[2:])
	_, _ = rand.Read(b[6:])
	return b
}
