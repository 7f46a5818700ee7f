package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTakeCarrierCall: the shared token bucket gives a burst at once,
// then one call per 1/rate, refuses (taking nothing) what would wait past
// maxWait, refills with time, and a pause refuses every call until it ends.
func TestTakeCarrierCall(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			key := store.BudgetKey{OrgID: 7, Slug: "ups", ConnectionID: "conn-1"}
			other := store.BudgetKey{OrgID: 8, Slug: "ups", ConnectionID: "conn-1"}
			t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
			take := func(k store.BudgetKey, at time.Time, maxWait time.Duration) store.BudgetTake {
				t.Helper()
				got, err := st.TakeCarrierCall(ctx, k, 2, 2, maxWait, at) // 2 calls a second, bursts of 2
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			for i := range 2 {
				if got := take(key, t0, time.Second); !got.Taken || got.Wait != 0 {
					t.Fatalf("call %d of the burst: %+v", i+1, got)
				}
			}
			if got := take(key, t0, time.Second); !got.Taken || got.Wait != 500*time.Millisecond {
				t.Fatalf("third call: %+v, want taken after 500ms", got)
			}
			if got := take(key, t0, 500*time.Millisecond); got.Taken || got.Wait != time.Second {
				t.Fatalf("fourth call with maxWait 500ms: %+v, want refused, 1s", got)
			}
			if got := take(other, t0, 0); !got.Taken || got.Wait != 0 {
				t.Fatalf("another organization's connection has its own budget: %+v", got)
			}
			// 1.5 s later: 3 tokens refilled onto -1, so 2 (the burst).
			at := t0.Add(1500 * time.Millisecond)
			for i := range 2 {
				if got := take(key, at, 0); !got.Taken || got.Wait != 0 {
					t.Fatalf("refilled call %d: %+v", i+1, got)
				}
			}
			if err := st.PauseCarrier(ctx, key, at.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got := take(key, at.Add(30*time.Second), time.Hour); got.Taken || !got.PausedUntil.Equal(at.Add(time.Minute)) {
				t.Fatalf("during a pause: %+v, want refused until %s", got, at.Add(time.Minute))
			}
			if err := st.PauseCarrier(ctx, key, at.Add(time.Second)); err != nil { // shorter: the longer pause stays
				t.Fatal(err)
			}
			if got := take(key, at.Add(59*time.Second), time.Hour); got.Taken {
				t.Fatalf("a shorter pause shortened the longer one: %+v", got)
			}
			if got := take(key, at.Add(61*time.Second), 0); !got.Taken {
				t.Fatalf("after the pause: %+v", got)
			}
		})
	}
}
