// Package carrier is the pure heart of the tracking lifecycle:
//
//   - MapStatus maps carrier status codes (UPS, FedEx, USPS, DHL, the
//     sandbox) and, failing that, message keywords to AfterShip's tags and
//     subtags;
//   - MergeCheckpoints and CheckpointHash store each scan once and in time
//     order, whatever order and however often scans arrive;
//   - Derive computes a tracking's status and dates from its checkpoints,
//     as a pure function of the set of checkpoints and the time;
//   - Changes says which webhook events an update causes;
//   - NextPoll is the adaptive polling cadence;
//   - Connector is what carrier integrations implement, and Sandbox is the
//     built-in test courier whose numbers (SandboxNumbers) play out
//     journeys in accelerated time.
//
// Apart from connectors' Fetch, nothing here does I/O or reads the clock.
package carrier
