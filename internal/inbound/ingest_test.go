package inbound_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestGroupCommit submits concurrently and checks that every message is
// stored before Submit returns, in far fewer transactions than messages.
func TestGroupCommit(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st := testdb.Open(t, engine)
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			ch := waybill.Channel{OrgID: org.ID, Name: "c", WebhookHash: "h", CreatedAt: time.Now()}
			if err := st.Write().InsertChannel(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			g := inbound.NewIngester(st, nil)
			var notified sync.Map
			g.Committed = func(ids []int64) {
				for _, id := range ids {
					notified.Store(id, true)
				}
			}
			done := make(chan struct{})
			go func() { g.Run(ctx); close(done) }()
			const n = 400
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					m := &waybill.InboundMessage{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundManualSale,
						ExternalID: string(rune('a' + i%26)), Body: []byte(`{}`), ReceivedAt: time.Now()}
					if err := g.Submit(ctx, m); err != nil {
						errs <- err
						return
					}
					// Committed: visible to a fresh read at once.
					logs, err := st.Read().InboundLogs(ctx, org.ID, store.InboundFilter{Limit: 1, Offset: 0, ExternalID: m.ExternalID})
					if err != nil || len(logs) == 0 {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("submit: %v", err)
			}
			batches, msgs := g.Stats()
			if msgs != n || batches >= n/4 {
				t.Fatalf("%d messages in %d transactions; want %d in far fewer", msgs, batches, n)
			}
			if _, ok := notified.Load(ch.ID); !ok {
				t.Fatal("processor not notified")
			}
			// 26 distinct external ids: exactly 26 are new.
			pending, err := st.Read().PendingInbound(ctx, ch.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			news := 0
			for _, m := range pending {
				if m.Priority == waybill.InboundPriorityNew {
					news++
				}
			}
			if news != 26 {
				t.Fatalf("%d new messages, want 26", news)
			}
			cancel()
			<-done
			if err := g.Submit(context.Background(), &waybill.InboundMessage{}); err == nil {
				t.Fatal("submit after stop succeeded")
			}
		})
	}
}
