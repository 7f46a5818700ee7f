package store

import (
	"encoding/base32"
	"time"
)

// pageTokenEncoding is lowercase base32 with its alphabet in ASCII order
// (digits before letters), so that tokens sort as the bytes they encode.
// Its characters are those of the lowercased standard base32 that tokens
// made before it used, so every token is 26 of [a-z2-7].
var pageTokenEncoding = base32.NewEncoding("234567abcdefghijklmnopqrstuvwxyz").WithPadding(base32.NoPadding)

// NewPageToken returns a 26-character token of lowercase letters and the
// digits 2-7 for a hosted page link (a tracking's or a return's). The link
// is the capability to see the page, so the token holds 80 random bits
// (crypto/rand): it cannot be guessed or enumerated. It is unrelated to
// the tracking's id and number, so a link reveals neither; what it does
// reveal is when it was made: its first 48 bits are the creation time in
// milliseconds since the Unix epoch, so tokens made later sort after those
// made earlier (tokens of one millisecond in random order), as public ids
// do (NewPublicID).
//
// The time prefix is for the store: a random token lands anywhere in the
// page_token index, so each create dirtied an index page of its own
// (6.3 WAL frames per SQLite create transaction against 2.0 for tokens
// made at about the same time, which share the index's last pages).
func NewPageToken() string {
	return newPageTokenAt(time.Now())
}

// newPageTokenAt is NewPageToken for a creation time of at.
func newPageTokenAt(at time.Time) string {
	b := timeOrderedBytes(at)
	return pageTokenEncoding.EncodeToString(b[:])
}
