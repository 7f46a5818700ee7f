// Package onport serves Onport's (formerly Jetti's) API on the commerce
// core: the synchronous /api/... resources with side-loading, where filters
// and pagination; the custom-channel writes; the asynchronous
// /webhooks/custom-channels/... inbound endpoints (authenticated by the
// channel's jetti-webhook-hash). Waybill's own /v1/channels and
// /v1/api-logs are the admin face's (internal/api/admin). It only
// translates: every write reaches commerce.Service.
package onport
