package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// BenchmarkTrackingAtKeyGeneration is the store's part of a v4 get by id
// on each engine: one read of a tracking with the key generation. A
// request's context can be cancelled (net/http cancels it when the client
// goes), which database/sql watches with a goroutine per query; the
// "uncancellable" case shows what that watch costs.
func BenchmarkTrackingAtKeyGeneration(b *testing.B) {
	for _, engine := range testdb.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := testdb.Open(b, engine)
			ctx := context.Background()
			org, err := st.Write().CreateOrg(ctx, "acme", now)
			if err != nil {
				b.Fatal(err)
			}
			tr := newTracking(org.ID, "ups", "1Z999AA10123456784")
			if err := st.Write().InsertTracking(ctx, tr); err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct {
				name string
				ctx  func() (context.Context, context.CancelFunc)
			}{
				{"cancellable", func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }},
				{"uncancellable", func() (context.Context, context.CancelFunc) { return ctx, func() {} }},
			} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						rctx, cancel := c.ctx()
						if _, _, err := st.Read().TrackingAtKeyGeneration(rctx, org.ID, tr.ID); err != nil {
							b.Fatal(err)
						}
						cancel()
					}
				})
			}
		})
	}
}
