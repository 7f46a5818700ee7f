package inbound_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestIngestRetriesWithoutFailingMessage puts messages the database
// refuses (bypassing the faces' checks) into one group commit with valid
// messages of another organization: only the refused ones fail, the others
// are stored and acknowledged, and only their channel is notified.
func TestIngestRetriesWithoutFailingMessage(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st := testdb.Open(t, engine)
			now := time.Now()
			var chs []waybill.Channel
			for _, name := range []string{"poisoner", "victim"} {
				org, err := st.Write().CreateOrg(ctx, name, now)
				if err != nil {
					t.Fatal(err)
				}
				ch := waybill.Channel{OrgID: org.ID, Name: name, WebhookHash: name, CreatedAt: now}
				if err := st.Write().InsertChannel(ctx, &ch); err != nil {
					t.Fatal(err)
				}
				chs = append(chs, ch)
			}
			bad, good := chs[0], chs[1]
			g := inbound.NewIngester(st, nil)
			g.MaxWait = 300 * time.Millisecond // every message below joins one batch
			var notified sync.Map
			g.Committed = func(ids []int64) {
				for _, id := range ids {
					notified.Store(id, true)
				}
			}
			done := make(chan struct{})
			go func() { g.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()

			// A channel that does not exist breaks a foreign key on both
			// engines; a NUL in the external id breaks PostgreSQL's text.
			poison := []*waybill.InboundMessage{
				{OrgID: bad.OrgID, ChannelID: bad.ID + 1000, Kind: waybill.InboundManualSale, ExternalID: "x", Body: []byte(`{}`), ReceivedAt: now},
			}
			if engine == "postgres" {
				poison = append(poison, &waybill.InboundMessage{OrgID: bad.OrgID, ChannelID: bad.ID, Kind: waybill.InboundManualSale,
					ExternalID: "x\x00", Body: []byte(`{}`), ReceivedAt: now})
			}
			const n = 30
			var msgs []*waybill.InboundMessage
			for i := range n {
				msgs = append(msgs, &waybill.InboundMessage{OrgID: good.OrgID, ChannelID: good.ID, Kind: waybill.InboundManualSale,
					ExternalID: fmt.Sprint("s", i), Body: []byte(`{}`), ReceivedAt: now})
			}
			msgs = append(msgs[:n/2], append(poison, msgs[n/2:]...)...)
			errs := make([]error, len(msgs))
			var wg sync.WaitGroup
			for i, m := range msgs {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = g.Submit(ctx, m) }()
			}
			wg.Wait()
			for i, m := range msgs {
				isPoison := m.OrgID == bad.OrgID
				if isPoison && errs[i] == nil {
					t.Errorf("poisoned message %q was stored", m.ExternalID)
				}
				if !isPoison && errs[i] != nil {
					t.Errorf("message %q of the other organization failed: %v", m.ExternalID, errs[i])
				}
			}
			logs, err := st.Read().InboundLogs(ctx, good.OrgID, store.InboundFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(logs) != n {
				t.Errorf("%d messages stored, want %d", len(logs), n)
			}
			if batches, _ := g.Stats(); batches > 3 {
				t.Logf("%d batches", batches) // the retry's own commits
			}
			if _, ok := notified.Load(good.ID); !ok {
				t.Error("the victim's channel was not notified")
			}
		})
	}
}
