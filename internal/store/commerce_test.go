package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

func TestCommerceStore(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, org, now := openWithOrg(t, engine)
			other, err := st.Write().CreateOrg(ctx, "other", now)
			if err != nil {
				t.Fatal(err)
			}
			w := st.Write()
			ch := waybill.Channel{OrgID: org.ID, Name: "Custom", WebhookHash: "hash-1", CreatedAt: now}
			if err := w.InsertChannel(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			if got, err := st.Read().ChannelByHash(ctx, "hash-1"); err != nil || got.ID != ch.ID || got.OrgID != org.ID {
				t.Fatalf("channel by hash: %+v %v", got, err)
			}
			if _, err := st.Read().ChannelByHash(ctx, "nope"); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
				t.Fatalf("unknown hash: %v", err)
			}
			if _, err := st.Read().Channel(ctx, other.ID, ch.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Fatalf("another org's channel: %v", err)
			}

			sale := waybill.Sale{OrgID: org.ID, ChannelID: ch.ID, ExternalID: "S1", Status: waybill.SaleStatusPending, Reference: "R1",
				Shipping: waybill.Address{City: "Paris"}, CreatedAt: now, UpdatedAt: now}
			if err := w.SaveSale(ctx, &sale); err != nil {
				t.Fatal(err)
			}
			dup := sale
			dup.ID = 0
			if err := w.SaveSale(ctx, &dup); waybill.ErrorCode(err) != waybill.ECONFLICT {
				t.Fatalf("duplicate sale: %v", err)
			}
			got, err := st.Read().SaleByExternalID(ctx, org.ID, ch.ID, "S1")
			if err != nil || got.ID != sale.ID || got.Shipping.City != "Paris" || !got.CreatedAt.Equal(now) {
				t.Fatalf("sale by external id: %+v %v", got, err)
			}
			if _, err := st.Read().Sales(ctx, org.ID, []store.Cond{{Column: "doc", Values: []any{"x"}}}, store.Page{}); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Fatalf("filter on a column not allowed: %v", err)
			}
			if ss, err := st.Read().Sales(ctx, other.ID, nil, store.Page{}); err != nil || len(ss) != 0 {
				t.Fatalf("other org sees %d sales (%v)", len(ss), err)
			}
			p1, err := w.EnsureProvider(ctx, org.ID, "vendor-a", "", now)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := w.EnsureProvider(ctx, org.ID, "vendor-a", "", now)
			if err != nil || p1.ID != p2.ID {
				t.Fatalf("ensure provider twice: %d %d %v", p1.ID, p2.ID, err)
			}

			// Inbound: classification, exactly-once finish, logs.
			msgs := []*waybill.InboundMessage{
				{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundManualSale, ExternalID: "S1", Body: []byte(`{}`), ReceivedAt: now},
				{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundManualSale, ExternalID: "S2", Body: []byte(`{}`), ReceivedAt: now},
				{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundManualSale, ExternalID: "S2", Body: []byte(`{}`), ReceivedAt: now},
				{OrgID: org.ID, ChannelID: ch.ID, Kind: waybill.InboundAcknowledge, Body: []byte(`[]`), ReceivedAt: now},
			}
			if err := st.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertInbound(ctx, msgs) }); err != nil {
				t.Fatal(err)
			}
			want := []int{waybill.InboundPriorityUpdate, waybill.InboundPriorityNew, waybill.InboundPriorityUpdate, waybill.InboundPriorityUpdate}
			for i, m := range msgs {
				if m.Priority != want[i] || m.ID == 0 {
					t.Errorf("message %d: priority %d id %d, want priority %d", i, m.Priority, m.ID, want[i])
				}
			}
			pending, err := st.Read().PendingInbound(ctx, ch.ID, 10)
			if err != nil || len(pending) != 4 || pending[0].ExternalID != "S2" || pending[0].ID != msgs[1].ID {
				t.Fatalf("pending order: %+v %v", pending, err)
			}
			res := &waybill.InboundResult{SaleID: 7}
			if err := w.FinishInbound(ctx, msgs[1].ID, waybill.InboundDone, nil, res, now); err != nil {
				t.Fatal(err)
			}
			if err := w.FinishInbound(ctx, msgs[1].ID, waybill.InboundDone, nil, res, now); waybill.ErrorCode(err) != waybill.ECONFLICT {
				t.Fatalf("finishing twice: %v", err)
			}
			if err := w.FinishInbound(ctx, msgs[3].ID, waybill.InboundFailed, []string{"bad"}, nil, now); err != nil {
				t.Fatal(err)
			}
			logs, err := st.Read().InboundLogs(ctx, org.ID, store.InboundFilter{Status: waybill.InboundFailed})
			if err != nil || len(logs) != 1 || logs[0].Errors[0] != "bad" {
				t.Fatalf("failed logs: %+v %v", logs, err)
			}
			logs, err = st.Read().InboundLogs(ctx, org.ID, store.InboundFilter{ExternalID: "S2", Status: waybill.InboundDone})
			if err != nil || len(logs) != 1 || logs[0].Result.SaleID != 7 {
				t.Fatalf("done logs: %+v %v", logs, err)
			}
			if logs, _ := st.Read().InboundLogs(ctx, other.ID, store.InboundFilter{}); len(logs) != 0 {
				t.Fatalf("other org sees %d logs", len(logs))
			}
			chans, err := st.Read().PendingInboundChannels(ctx)
			if err != nil || len(chans) != 1 || chans[0] != ch.ID {
				t.Fatalf("pending channels: %v %v", chans, err)
			}

			// A savepoint undoes only its own writes.
			err = st.WithTx(ctx, func(tx *store.Tx) error {
				_ = tx.Savepoint(ctx, func() error {
					if err := tx.FinishInbound(ctx, msgs[0].ID, waybill.InboundDone, nil, nil, now); err != nil {
						return err
					}
					return waybill.Errorf(waybill.EINVALID, "undo")
				})
				return tx.FinishInbound(ctx, msgs[2].ID, waybill.InboundDone, nil, nil, now)
			})
			if err != nil {
				t.Fatal(err)
			}
			pending, _ = st.Read().PendingInbound(ctx, ch.ID, 10)
			if len(pending) != 1 || pending[0].ID != msgs[0].ID {
				t.Fatalf("after savepoint: %+v", pending)
			}
		})
	}
}

// TestSalesByExternalIDSearchesExternalIDs requires the locking read of a
// run's sales to search the channel's sales by external id (one index probe
// each) rather than walk the channel's sales: without statistics SQLite
// chose the (org_id, channel_id) index, and PostgreSQL, asked for a turn's
// hundred ids among a channel's thousands of sales, kept the channel alone
// as its index condition and filtered the ids, so that every processor
// turn read every sale of its channel and slowed down as the channel grew.
func TestSalesByExternalIDSearchesExternalIDs(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, org, now := openWithOrg(t, engine)
			ch := waybill.Channel{OrgID: org.ID, Name: "Custom", WebhookHash: "hash-1", CreatedAt: now}
			if err := st.Write().InsertChannel(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			// A channel of 5,000 sales, never analyzed (as a table that
			// grew since its statistics), asked for a turn's 100 ids.
			if _, err := st.Writer().ExecContext(ctx, `WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000)
				INSERT INTO sales (org_id, channel_id, customer_id, external_id, status, doc, created_at, updated_at)
				SELECT $1, $2, 0, 'S' || n, 'pending', '{}', 0, 0 FROM g`, org.ID, ch.ID); err != nil {
				t.Fatal(err)
			}
			exts := make([]string, 100)
			for i := range exts {
				exts[i] = fmt.Sprintf("S%d", 2*i+1)
			}
			var queries []recordedQuery
			st.ObserveQueries(func(query string, args []any) {
				queries = append(queries, recordedQuery{query: query, args: append([]any(nil), args...)})
			})
			var got map[string]waybill.Sale
			err := st.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.SalesByExternalIDForUpdate(ctx, org.ID, ch.ID, append(exts, "nope"))
				return err
			})
			st.ObserveQueries(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(exts) {
				t.Errorf("%d sales found, want %d", len(got), len(exts))
			}
			for _, e := range exts {
				if got[e].ExternalID != e || got[e].OrgID != org.ID || got[e].ChannelID != ch.ID {
					t.Errorf("sale %s: %+v", e, got[e])
				}
			}
			explainer := newExplainer(t, st)
			found := false
			for _, rq := range queries {
				if !strings.Contains(rq.query, "FROM sales") {
					continue
				}
				found = true
				plan, err := explainer.explain(rq.query, rq.args)
				if err != nil {
					t.Fatalf("explain: %v", err)
				}
				if !plan.indexConditionHas("sales", "external_id") {
					t.Errorf("sales not searched by external id:\n  %s\n  plan: %s", oneLine(rq.query), plan)
				}
			}
			if !found {
				t.Fatal("SalesByExternalIDForUpdate ran no query on sales")
			}
		})
	}
}

// TestInsertCustomersInChunks holds that a bulk insert of more rows than
// one statement takes, in a count that is no power of two (101: chunks
// of 64, 32, 4 and 1 on SQLite), stores every row with its own values.
func TestInsertCustomersInChunks(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, org, now := openWithOrg(t, engine)
			const n = 101
			emails := make([]string, n)
			err := st.WithTx(ctx, func(tx *store.Tx) error {
				ids, err := tx.AllocateIDs(ctx, map[string]int{"customers": n})
				if err != nil {
					return err
				}
				cs := make([]waybill.Customer, n)
				for i := range cs {
					emails[i] = fmt.Sprintf("c%d@example.com", i)
					cs[i] = waybill.Customer{ID: ids["customers"][i], OrgID: org.ID, Email: emails[i], FirstName: fmt.Sprintf("First %d", i),
						CreatedAt: now, UpdatedAt: now}
				}
				return tx.InsertCustomers(ctx, cs)
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.Read().CustomersByEmail(ctx, org.ID, emails)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d customers stored, want %d", len(got), n)
			}
			for i, e := range emails {
				if want := fmt.Sprintf("First %d", i); got[e].FirstName != want {
					t.Errorf("%s: first name %q, want %q", e, got[e].FirstName, want)
				}
			}
		})
	}
}

// openWithOrg opens a fresh store of engine holding one organization,
// "acme", created at now (microseconds, as the store keeps times).
func openWithOrg(t *testing.T, engine string) (*store.Store, waybill.Organization, time.Time) {
	t.Helper()
	st := testdb.Open(t, engine)
	now := time.Now().UTC().Truncate(time.Microsecond)
	org, err := st.Write().CreateOrg(context.Background(), "acme", now)
	if err != nil {
		t.Fatal(err)
	}
	return st, org, now
}
