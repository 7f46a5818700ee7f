// Package loadgen is Waybill's own HTTP load generator, used by
// `waybill bench` and scripts/bench-api.sh.
//
// It runs closed-loop (a fixed number of workers, each sending its next
// request as soon as the previous one is answered: "how fast can it go") or
// open-loop (a fixed arrival rate: "what latency at this rate"). In open-loop
// mode a request's latency is measured from the time it was scheduled to be
// sent, not from when a worker got round to sending it, so a server that
// stalls is charged for the queue it causes (no coordinated omission).
//
// Latencies go into a log-linear Histogram of fixed size, so memory does not
// grow with the length of a run. A run only ever sends the requests its
// Request function builds, and always ends: at its duration, at its request
// count, or when its context is cancelled.
package loadgen
