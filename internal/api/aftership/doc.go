// Package aftership is the AfterShip face: the legacy /v4 API and the dated
// /tracking/2026-07 API, with AfterShip's envelope, meta codes, headers and
// rate limits, so that AfterShip's own clients work after changing only the
// base URL and the key. It translates; every decision is the core's.
package aftership
