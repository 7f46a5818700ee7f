// Package carrier is the pure heart of the tracking lifecycle: carrier
// status codes mapped to AfterShip's tags and subtags, checkpoints merged
// without duplicates and in time order, the tracking's status derived from
// them, the changes subscribers hear about, the adaptive poll cadence, the
// connector interface that carrier integrations implement, and the built-in
// sandbox courier. Apart from connectors, nothing here does I/O.
package carrier
