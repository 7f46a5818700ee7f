package tracking

import (
	"context"
	"time"

	"github.com/waybillhq/waybill/internal/store"
)

// FirstPollLease is pollClaimLease, for tests that let a claim lapse.
const FirstPollLease = pollClaimLease

// ClaimDueOnce claims up to limit first polls due at the service's clock,
// as one round of Run does, and makes each before it returns how many it
// claimed; work is the polls' context.
func (f *PollClaims) ClaimDueOnce(work context.Context, limit int) (int, error) {
	keys, until, err := f.claim(context.Background(), limit)
	for _, k := range keys {
		f.pollClaimed(work, k, until)
	}
	return len(keys), err
}

// PollClaimed makes the first poll of k under a claim that ends at
// claimedUntil (claimed by the test itself, through the store).
var PollClaimed = func(f *PollClaims, work context.Context, k store.PollKey, claimedUntil time.Time) {
	f.pollClaimed(work, k, claimedUntil)
}
