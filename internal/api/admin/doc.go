// Package admin is Waybill's own API under /v1: the checkpoint push API for
// own fleets and custom carriers, and webhook endpoint management with
// delivery attempts and replay. It authenticates with an organization API key
// (header as-api-key or aftership-api-key) and answers errors as
// {"error": {"code", "reason", "message"}}.
package admin
