package store_test

import (
	"context"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// readContexts are the contexts a tracking is read under: a request's can
// be cancelled (net/http cancels it when the client goes), which
// database/sql watches with a goroutine per query; an uncancellable one
// shows what that watch costs.
var readContexts = []struct {
	name string
	new  func() (context.Context, context.CancelFunc)
}{
	{"cancellable", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
	{"uncancellable", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
}

// BenchmarkTrackingAtKeyGeneration is the store's part of a v4 get by id
// on each engine: one read of a tracking with the key generation.
func BenchmarkTrackingAtKeyGeneration(b *testing.B) {
	for _, engine := range testdb.Engines() {
		st, orgID, id := storedTracking(b, engine)
		for _, c := range readContexts {
			b.Run(engine+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ctx, cancel := c.new()
					if _, _, err := st.Read().TrackingAtKeyGeneration(ctx, orgID, id); err != nil {
						b.Fatal(err)
					}
					cancel()
				}
			})
		}
	}
}

// storedTracking opens a store of engine holding one tracking, and
// returns its organization and public id.
func storedTracking(b *testing.B, engine string) (*store.Store, int64, string) {
	b.Helper()
	st := testdb.Open(b, engine)
	org, err := st.Write().CreateOrg(context.Background(), "acme", now)
	if err != nil {
		b.Fatal(err)
	}
	tr := newTracking(org.ID, "ups", "1Z999AA10123456784")
	if err := st.Write().InsertTracking(context.Background(), tr); err != nil {
		b.Fatal(err)
	}
	return st, org.ID, tr.ID
}
