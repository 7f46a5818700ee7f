// Package tracking is the core service for trackings: it validates, resolves
// the courier, stores, and schedules follow-up work. Every face (AfterShip,
// Onport, Tracker API) reaches the same calls here, so that a tracking is
// validated, detected and announced the same way whichever API created it.
package tracking
