// Package waybill is the core of Waybill, a self-hosted post-purchase
// platform: shipment tracking, order ingestion, signed webhooks and
// notifications.
//
// This package holds the domain types (Tracking, Checkpoint, Organization),
// the coded Error type that every face maps to its own wire format, and the
// tracking status model:
//
//   - Tracking.Advance is the whole status step: it merges news
//     (checkpoints, the carrier's estimate) into a tracking, derives its
//     status and returns the events of the change;
//   - MergeCheckpoints and CheckpointHash keep each scan once and in time
//     order; ParseCheckpointTime reads the carriers' ISO 8601 forms;
//   - Derive computes the status and dates as a pure function of the set of
//     checkpoints and the time, including expiry (DefaultExpireAfter);
//   - Changes says which webhook events a change causes;
//   - NextPoll is the adaptive carrier polling cadence.
//
// It imports only the standard library: storage, queues and HTTP live in
// internal packages that depend on it, never the other way round.
package waybill
