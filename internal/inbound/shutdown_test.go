package inbound_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestRunFinishesTurnOnStop stops a processor while a turn is in the
// middle of its message (the decoder holds it): the turn still commits the
// message's outcome, and Run returns after it. Cancelling the work context
// instead cuts the turn short: its transaction rolls back, the message stays
// pending, and the next run works it, so nothing is lost.
func TestRunFinishesTurnOnStop(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			for _, cutShort := range []bool{false, true} {
				name := "finishes"
				if cutShort {
					name = "cut short"
				}
				t.Run(name, func(t *testing.T) { runStopTest(t, engine, cutShort) })
			}
		})
	}
}

func runStopTest(t *testing.T, engine string, cutShort bool) {
	ctx := context.Background()
	e := newChannelEnv(t, engine, "shop")
	st, com := e.st, e.com
	msg := &waybill.InboundMessage{OrgID: e.orgID, ChannelID: e.channel, Kind: waybill.InboundManualSale,
		ExternalID: "S1", Body: benchSale("S1"), ReceivedAt: time.Now()}
	if err := st.Write().InsertInbound(ctx, []*waybill.InboundMessage{msg}); err != nil {
		t.Fatal(err)
	}

	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	held := func(kind string, body []byte) (commerce.Write, error) {
		once.Do(func() { close(entered); <-release })
		return onport.DecodeWrite(kind, body)
	}
	p := inbound.NewProcessor(st, com, held, nil)
	p.Workers = 1
	stop, stopRun := context.WithCancel(ctx)
	work, stopWork := context.WithCancel(ctx)
	defer stopWork()
	done := make(chan struct{})
	go func() { p.Run(stop, work); close(done) }()

	select {
	case <-entered:
	case <-time.After(60 * time.Second):
		t.Fatal("the processor never took the pending message")
	}
	stopRun()
	if cutShort {
		stopWork()
	}
	close(release)
	<-done

	statusOf := func() string {
		t.Helper()
		logs, err := st.Read().InboundLogs(ctx, e.orgID, store.InboundFilter{ExternalID: "S1"})
		if err != nil || len(logs) != 1 {
			t.Fatalf("inbound logs: %v %v", logs, err)
		}
		return logs[0].Status
	}
	if !cutShort {
		if got := statusOf(); got != waybill.InboundDone {
			t.Fatalf("after a stop during its turn, the message is %q, want %q", got, waybill.InboundDone)
		}
		return
	}
	if got := statusOf(); got != waybill.InboundPending {
		t.Fatalf("after its turn was cut short, the message is %q, want %q", got, waybill.InboundPending)
	}
	// The next run works it. On PostgreSQL the cut-short transaction's
	// connection was discarded, and its server process may still hold the
	// channel's advisory lock for a moment: Turn then reports more work
	// without taking any, and a Run would simply come back.
	next := inbound.NewProcessor(st, com, onport.DecodeWrite, nil)
	for turns, more := 0, true; more; turns++ {
		if turns == 1000 {
			t.Fatal("the channel stayed locked for 1000 turns")
		}
		var err error
		if more, err = next.Turn(ctx, e.channel); err != nil {
			t.Fatal(err)
		}
	}
	if got := statusOf(); got != waybill.InboundDone {
		t.Fatalf("after the next turn, the message is %q, want %q", got, waybill.InboundDone)
	}
}
