package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// otherInstance is a second tracking service on e's database, as another
// `waybill serve` would be, with its own in-process gates.
func (e *pollEnv) otherInstance() *tracking.Service {
	return &tracking.Service{Store: e.st, Queue: e.svc.Queue, Carriers: e.svc.Carriers, Secrets: e.svc.Secrets,
		Now: e.svc.Now, Snooze: e.svc.Snooze, Rates: e.svc.Rates, PauseMin: e.svc.PauseMin, SharedBudgets: e.st}
}

// TestSharedBudgetKeepsInstancesToOneRate: two instances polling one
// rate-limited connection spend one budget between them: once the first
// has spent it, the second's poll is snoozed without asking the carrier.
// Without shared budgets (the control) each instance would call.
func TestSharedBudgetKeepsInstancesToOneRate(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			for _, shared := range []bool{false, true} {
				c := &scriptedCarrier{answer: transitScan}
				e := newPollEnv(t, engine, "royal-mail", c)
				e.svc.Rates = map[string]carrier.Rate{"royal-mail": {PerSecond: 0.001, Burst: 1}} // one call per 1000 s
				a, b := e.svc, e.otherInstance()
				if shared {
					a.SharedBudgets = e.st
				} else {
					b.SharedBudgets = nil
				}
				first, second := e.create(t, e.org.ID, "royal-mail", "AB000000001GB"), e.create(t, e.org.ID, "royal-mail", "AB000000002GB")
				if err := a.Poll(ctx, e.org.ID, first.ID, first.NextPollAt); err != nil {
					t.Fatal(err)
				}
				d, snoozed := snoozeOf(b.Poll(ctx, e.org.ID, second.ID, second.NextPollAt))
				switch {
				case shared && (!snoozed || d < 990*time.Second || d > 1250*time.Second || c.callCount() != 1):
					t.Fatalf("shared: the other instance's poll: snooze %s (%v), %d carrier calls; want about 1000 s and 1 call", d, snoozed, c.callCount())
				case !shared && (snoozed || c.callCount() != 2):
					t.Fatalf("control, budgets per process: snoozed %v, %d carrier calls; want 2 calls", snoozed, c.callCount())
				}
			}
		})
	}
}

// TestSharedBudgetSharesCarrierPause: when the carrier tells one instance
// to wait, the other instance's polls of that connection wait too,
// without asking the carrier.
func TestSharedBudgetSharesCarrierPause(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			limitedWait := 10 * time.Minute
			c := &scriptedCarrier{answer: func(carrier.FetchRequest) (carrier.FetchResult, error) {
				return carrier.FetchResult{}, &carrier.TemporaryError{Reason: "rate limited", RetryAfter: limitedWait}
			}}
			e := newPollEnv(t, engine, "dhl", c)
			e.svc.Rates = map[string]carrier.Rate{"dhl": {PerSecond: 100, Burst: 100}}
			e.svc.SharedBudgets = e.st
			b := e.otherInstance()
			if _, err := e.svc.CreateConnection(ctx, e.org.ID, "dhl", map[string]string{"api_key": "k"}); err != nil {
				t.Fatal(err)
			}
			first, second := e.create(t, e.org.ID, "dhl", "1234567890"), e.create(t, e.org.ID, "dhl", "1234567891")
			if d, ok := snoozeOf(e.svc.Poll(ctx, e.org.ID, first.ID, first.NextPollAt)); !ok || d < limitedWait {
				t.Fatalf("a 429 with Retry-After 10m: snooze %s (%v)", d, ok)
			}
			d, ok := snoozeOf(b.Poll(ctx, e.org.ID, second.ID, second.NextPollAt))
			if !ok || d < limitedWait-time.Minute || c.callCount() != 1 {
				t.Fatalf("the other instance's poll of the paused connection: snooze %s (%v), %d carrier calls; want about 10m and 1 call", d, ok, c.callCount())
			}
		})
	}
}
