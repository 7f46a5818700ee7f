package inbound_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// channelEnv is a fresh database on engine with the commerce core wired
// as the server wires it (trackings and webhooks on a queue that does not
// work), and one organization with one channel.
type channelEnv struct {
	st      *store.Store
	com     *commerce.Service
	orgID   int64
	channel int64
}

func newChannelEnv(tb testing.TB, engine, channelName string) channelEnv {
	tb.Helper()
	ctx := context.Background()
	st := testdb.Open(tb, engine)
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		tb.Fatal(err)
	}
	webhooks := &webhook.Service{Store: st, Queue: q}
	com := &commerce.Service{Store: st, Trackings: &tracking.Service{Store: st, Queue: q, Dispatcher: webhooks}, Events: webhooks}
	org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	ch, err := com.CreateChannel(ctx, org.ID, commerce.ChannelInput{Name: new(channelName)})
	if err != nil {
		tb.Fatal(err)
	}
	return channelEnv{st: st, com: com, orgID: org.ID, channel: ch.ID}
}
