// Package webhook delivers events to subscribers' endpoints: endpoint
// management, signing (AfterShip's aftership-hmac-sha256 and the Standard
// Webhooks headers), an SSRF guard that checks every resolved address and
// dials only those, a delivery client with bounded time and response size,
// the retry schedule, and the queue handler that makes and records attempts.
package webhook
