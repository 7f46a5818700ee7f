// Package carrier speaks to carriers:
//
//   - MapStatus maps carrier status codes (UPS, FedEx, USPS, DHL, the
//     sandbox) and, failing that, message keywords to AfterShip's tags and
//     subtags, and TagCheckpoint tags a pushed checkpoint with it;
//   - Connector is what carrier integrations implement (Fetch returns
//     tagged checkpoints), Registry holds them by courier slug, and
//     Sandbox is the built-in test courier whose numbers (SandboxNumbers)
//     play out journeys in accelerated time.
//
// What a tracking's status is, given its tagged checkpoints (merge,
// derivation, events, poll cadence, expiry), is decided in package
// waybill (Tracking.Advance), not here. Apart from connectors' Fetch,
// nothing here does I/O or reads the clock.
package carrier
