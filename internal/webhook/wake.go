package webhook

import "github.com/waybillhq/waybill/internal/store"

// FirstAttempts' claim loop waits longer between claims while they find
// nothing (claimloop.Loop.IdlePoll), so every delivery this process makes
// claimable wakes it once committed: deliveries inserted claimable (no
// hand-off open, or no hand-off worker free), replays, and deliveries
// the hand-off released. Only deliveries committed by another process,
// or falling due later (a snoozed or failed attempt's deferral), wait for
// the loop's own next claim.

// deliveriesClaimable wakes this process's FirstAttempts loop, if asleep;
// it does not block.
func (s *Service) deliveriesClaimable() { s.claimWake.Wake() }

// wakeAfterCommit wakes the loop once tx has committed deliveries
// claimable now (ClaimFirstAttempts).
func (s *Service) wakeAfterCommit(tx *store.Tx) { tx.AfterCommit(s.deliveriesClaimable) }
