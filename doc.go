// Package waybill is the core of Waybill, a self-hosted post-purchase
// platform: shipment tracking, order ingestion, signed webhooks and
// notifications.
//
// This package holds the domain types (Tracking, Checkpoint, Organization),
// the status model (Tag and subtags), and the coded Error type that every face
// maps to its own wire format. It imports only the standard library: storage,
// queues and HTTP live in internal packages that depend on it, never the other
// way round.
package waybill
