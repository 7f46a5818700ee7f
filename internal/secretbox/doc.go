// Package secretbox encrypts the secrets Waybill keeps for organizations
// (carrier credentials, connector tokens) before they reach the database.
//
// A Box seals with AES-256-GCM under the first key of WAYBILL_SECRET_KEY
// and opens with any of them, so an operator rotates by putting a new key
// first and keeping the old one until every secret has been re-sealed.
// Each sealed value is bound to associated data chosen by the caller (the
// organization and record it belongs to), so a ciphertext copied into
// another row does not open there.
package secretbox
