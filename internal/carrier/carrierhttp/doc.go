// Package carrierhttp holds what the carrier connectors (ups, fedex,
// usps, dhl) share about speaking HTTP to a carrier: size-limited reads,
// the classification of failures into the carrier package's error kinds
// (temporary, not found, refused), Retry-After, and the cleaning of the
// carrier's text before it becomes a checkpoint.
package carrierhttp
