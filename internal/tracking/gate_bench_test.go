package tracking

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill/internal/carrier"
)

type instantConnector struct{}

func (instantConnector) Fetch(context.Context, carrier.FetchRequest) (carrier.FetchResult, error) {
	return carrier.FetchResult{}, carrier.ErrNotFound
}

// BenchmarkGate is the in-memory part of the scheduler's overhead per
// poll: passing a rate-limited connection's gate (budget, pause, batch of
// one) around a carrier call that answers at once.
func BenchmarkGate(b *testing.B) {
	s := &Service{Rates: map[string]carrier.Rate{"ups": {PerSecond: 1e9, Burst: 1 << 30}}}
	key := gateKey{slug: "ups", orgID: 1, connID: "c"}
	req := carrier.FetchRequest{Slug: "ups", TrackingNumber: "1Z999AA10123456784"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, wait, err := s.fetchThroughGate(ctx, key, instantConnector{}, req); wait > 0 || err != carrier.ErrNotFound {
			b.Fatal(wait, err)
		}
	}
}
