package webhook

import "github.com/waybillhq/waybill/internal/store"

// FirstAttempts' claim loop waits longer between claims while they find
// nothing (claimloop.Loop.IdlePoll), so every delivery this process makes
// claimable wakes it once committed: deliveries inserted claimable (no
// hand-off open, or no hand-off worker free), replays, and deliveries
// the hand-off released. Only deliveries committed by another process,
// or falling due later (a snoozed or failed attempt's deferral), wait for
// the loop's own next claim.

// wake returns the channel that wakes this process's FirstAttempts loop.
func (s *Service) wake() chan struct{} {
	s.claimWakeOnce.Do(func() { s.claimWake = make(chan struct{}, 1) })
	return s.claimWake
}

// deliveriesClaimable wakes this process's FirstAttempts loop, if asleep;
// it does not block, and a wake sent while the loop claims ends its next
// wait.
func (s *Service) deliveriesClaimable() {
	select {
	case s.wake() <- struct{}{}:
	default:
	}
}

// wakeAfterCommit wakes the loop once tx has committed deliveries
// claimable now.
func (s *Service) wakeAfterCommit(tx *store.Tx) {
	if s.ClaimFirstAttempts {
		tx.AfterCommit(s.deliveriesClaimable)
	}
}
