package inbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// oneByOne hides commerce.Service's SaleBatcher, so that the processor
// applies every message on its own, as it did before runs of manual sales
// were written together.
type oneByOne struct{ inbound.Applier }

// TestRunsOfSalesMatchOneByOne processes one channel's mixed turn (new
// sales sharing or lacking a customer, an update of a sale of the turn and
// of an older one, a line routed by its variant, an unrouted line, a new
// vendor, bad input), then a turn of updates (a sale routed at last, a
// quantity, a new line and purchase, the same sale twice, a new customer,
// bad input), then a run of 20 new sales, twice on fresh databases: with
// runs of manual sales written together, and one message at a time.
// Every record, result and event must come out the same, ids included.
func TestRunsOfSalesMatchOneByOne(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			batched := processMixedTurn(t, engine, true)
			single := processMixedTurn(t, engine, false)
			if diff := cmp.Diff(single, batched); diff != "" {
				t.Errorf("batched processing differs from one by one (-one by one +batched):\n%s", diff)
			}
			if batched.Sales == 0 || batched.Events == nil {
				t.Fatalf("the turn made nothing: %+v", batched)
			}
		})
	}
}

type turnOutcome struct {
	Sales     int
	Logs      []string // status, errors and result of each message, in order
	Records   []string // every sale, line, purchase, purchase line and customer
	Events    []string // each event's type and payload, without its random id
	Providers []string
}

func line(ext, vendor string, qty int) string {
	props := ""
	if vendor != "" {
		props = fmt.Sprintf(`,"properties":[{"key":"vendor","value":%q}]`, vendor)
	}
	return fmt.Sprintf(`{"externalId":%q,"name":"Item %s","quantity":%d,"price":2.5%s}`, ext, ext, qty, props)
}

func sale(ext, email, first string, lines ...string) []byte {
	body := fmt.Sprintf(`{"externalId":%q,"customer":{"firstName":%q,"lastName":"L","email":%q},"lineItems":[`, ext, first, email)
	for i, l := range lines {
		if i > 0 {
			body += ","
		}
		body += l
	}
	return []byte(body + `],"shipping":[{"code":"std","name":"Standard","price":4}]}`)
}

func processMixedTurn(t *testing.T, engine string, batch bool) turnOutcome {
	t.Helper()
	ctx := context.Background()
	e := newChannelEnv(t, engine, "shop")
	now := time.Date(2026, 12, 4, 5, 0, 0, 0, time.UTC)
	e.com.Now = func() time.Time { return now }
	var applier inbound.Applier = e.com
	if !batch {
		applier = oneByOne{e.com}
	}
	send := func(bodies ...[]byte) {
		t.Helper()
		var msgs []*waybill.InboundMessage
		for i, b := range bodies {
			msgs = append(msgs, &waybill.InboundMessage{OrgID: e.orgID, ChannelID: e.channel, Kind: waybill.InboundManualSale,
				ExternalID: fmt.Sprintf("m%d", i), Body: b, ReceivedAt: now})
		}
		if err := e.st.Write().InsertInbound(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		p := inbound.NewProcessor(e.st, applier, onport.DecodeWrite, nil)
		p.Now = func() time.Time { return now }
		for more := true; more; {
			var err error
			if more, err = p.Turn(ctx, e.channel); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An older sale and customer, and a known vendor.
	send(sale("S0", "ada@example.com", "Ada", line("L1", "vendor-a", 1)))
	send(
		sale("S1", "ada@example.com", "Augusta", line("L1", "vendor-a", 1), line("L2", "vendor-b", 2)),
		sale("S2", "ada@example.com", "", line("L1", "vendor-a", 3)),
		sale("S3", "", "Nobody", line("L1", "vendor-b", 1)),
		sale("S1", "ada@example.com", "Ada", line("L1", "vendor-a", 5), line("L3", "vendor-a", 1)),
		sale("S0", "grace@example.com", "Grace", line("L1", "vendor-a", 2)),
		[]byte(`{"externalId":"BAD","lineItems":[]}`),
		sale("S4", "bob@example.com", "Bob", line("L1", "", 1)),
		[]byte(`{"externalId":"S5","customer":{"email":"bob@example.com"},"lineItems":[{"externalId":"L1","name":"V","quantity":1,"price":1,"variant":{"externalId":"var-1"}}]}`),
		sale("S6", "BOB@example.com", "Robert", line("L1", "vendor-c", 1), line("L2", "vendor-a", 1)),
		[]byte(`{not json`),
		sale("S7", "carol@example.com", "Carol", line("L1", "vendor-c", 4)),
		sale("S8", "", "", line("L1", "vendor-a", 1)),
	)
	// Updates of sales of earlier turns, in one run.
	send(
		sale("S4", "bob@example.com", "Bob", line("L1", "vendor-a", 2)),                                // now routed: its first sale.dropship
		sale("S1", "ada@example.com", "", line("L1", "vendor-a", 7)),                                   // a purchase line's quantity
		sale("S7", "carol@example.com", "Carol", line("L1", "vendor-c", 4), line("L2", "vendor-b", 1)), // a new line and purchase
		sale("S7", "dan@example.com", "Dan", line("L2", "vendor-b", 3)),                                // again: sees the line above, a new customer
		sale("S3", "ada@example.com", "", line("L1", "vendor-b", 1)),                                   // a customer found by email
		[]byte(`{"externalId":"S2","lineItems":[]}`),                                                   // fails alone
		sale("S9", "", "", line("L1", "vendor-a", 1)),
	)
	// A run of 20 new sales: its messages are decoded, and its events
	// encoded, in two halves at once.
	var run [][]byte
	for i := range 20 {
		run = append(run, sale(fmt.Sprintf("R%d", i), "erin@example.com", "Erin", line("L1", "vendor-a", i+1), line("L2", "vendor-d", 1)))
	}
	send(run...)

	var out turnOutcome
	logs, err := e.st.Read().InboundLogs(ctx, e.orgID, store.InboundFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(logs) - 1; i >= 0; i-- {
		m := logs[i]
		out.Logs = append(out.Logs, fmt.Sprintf("%d %s %v %+v", m.ID, m.Status, m.Errors, m.Result))
	}
	r := e.st.Read()
	all := []store.Cond(nil)
	sales, err := r.Sales(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	out.Sales = len(sales)
	for _, s := range sales {
		out.Records = append(out.Records, fmt.Sprintf("sale %+v", s))
	}
	items, err := r.SaleItems(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		out.Records = append(out.Records, fmt.Sprintf("item %+v", it))
	}
	ps, err := r.Purchases(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		out.Records = append(out.Records, fmt.Sprintf("purchase %+v", p))
	}
	pis, err := r.PurchaseItems(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pi := range pis {
		out.Records = append(out.Records, fmt.Sprintf("purchase item %+v", pi))
	}
	cs, err := r.Customers(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		out.Records = append(out.Records, fmt.Sprintf("customer %+v", c))
	}
	provs, err := r.Providers(ctx, e.orgID, all, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range provs {
		out.Providers = append(out.Providers, fmt.Sprintf("%d %s", p.ID, p.ExternalID))
	}
	events, _, err := r.Events(ctx, e.orgID, time.Time{}, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := r.Channel(ctx, e.orgID, e.channel)
	if err != nil {
		t.Fatal(err)
	}
	made, _ := json.Marshal(ch.CreatedAt) // made before the fixed clock
	for _, ev := range events {
		out.Events = append(out.Events, fmt.Sprintf("%s %d %s", ev.Type, ev.ChannelID, strings.ReplaceAll(ev.Detail, string(made), `"(channel)"`)))
	}
	return out
}
