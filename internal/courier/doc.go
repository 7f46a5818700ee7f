// Package courier is Waybill's courier registry and tracking-number detector.
//
// The registry (All, Lookup, DefaultActivated) lists every courier Waybill
// knows by its AfterShip slug, with the fields AfterShip's courier object
// carries. The detector (Normalize, Detect, DetectInto) turns what a user
// pasted into a normalized tracking number and a ranked list of couriers it
// may belong to.
//
// Detection is written from the carriers' and standards bodies' published
// formats: UPU S10 for postal items, GS1 mod 10 for SSCC and USPS IMpb, the
// carriers' own check digits for UPS, FedEx, DHL Express, OnTrac, DPD,
// Purolator and Old Dominion (docs/COURIERS.md lists them all). A candidate
// whose check digit was confirmed carries Verified; a failed check digit
// removes that courier. Couriers sharing one format are all returned, each
// at a lower confidence than an unambiguous format gets, ordered by
// confidence and then by how specific the matching format is, so a caller
// never has to guess what was dropped.
//
// The package uses only the standard library, holds no mutable state after
// initialization and is safe for concurrent use.
package courier
