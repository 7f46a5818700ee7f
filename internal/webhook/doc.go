// Package webhook delivers events to subscribers' endpoints.
//
// The parts that need no database stand alone and are safe for concurrent
// use:
//
//   - sign.go: AfterShip's aftership-hmac-sha256 header and the Standard
//     Webhooks headers (webhook-id, webhook-timestamp, webhook-signature),
//     secret generation, and verification of both for tests and receivers.
//   - ssrf.go: ValidateURL, which refuses a target before any request, and
//     Dialer, which resolves a host once, refuses it if any of its addresses
//     is not public, and connects only to the addresses it checked.
//   - client.go: Client, which makes one delivery attempt with bounded
//     connect time, total time and response size, never follows a redirect,
//     and classifies the outcome (Success, Retry, Gone).
//   - backoff.go: the retry schedule, jitter, Retry-After and the rule that
//     disables an endpoint after five days of failure.
//
// endpoints.go, dispatch.go and deliver.go wire these to the store and the
// job queue.
package webhook
