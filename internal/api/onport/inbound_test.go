package onport_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/testdb"
)

func (h *harness) logs(query string) []map[string]any {
	h.t.Helper()
	res := h.do("GET", "/v1/api-logs?"+query, nil, "as-api-key", h.Key)
	if res.Status != 200 {
		h.t.Fatalf("api-logs: %d %s", res.Status, res.Body)
	}
	logs := res.object(h.t)["logs"].([]any)
	out := make([]map[string]any, len(logs))
	for i, l := range logs {
		out[i] = l.(map[string]any)
	}
	return out
}

// drain processes the channel's queue to the end.
func (h *harness) drain(channelID int64) {
	h.t.Helper()
	for {
		more, err := h.Processor.Turn(context.Background(), channelID)
		if err != nil {
			h.t.Fatal(err)
		}
		if !more {
			return
		}
	}
}

func TestInboundGroupCommitAndLogs(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			const n = 200
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = h.async("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("A", i), line("L1", "vendor-a", 1), line("L2", "vendor-b", 2))).Status
				}()
			}
			wg.Wait()
			for i, s := range statuses {
				if s != 200 {
					t.Fatalf("request %d: %d", i, s)
				}
			}
			pending := h.logs("status=pending&limit=1000")
			if len(pending) != n {
				t.Fatalf("%d pending messages, want %d", len(pending), n)
			}
			// Invalid payloads are accepted, then fail visibly.
			if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", `{"externalId":"BAD","lineItems":[]}`); res.Status != 200 {
				t.Fatalf("invalid payload: %d", res.Status)
			}
			if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", `not json`); res.Status != 200 {
				t.Fatalf("non-JSON payload: %d", res.Status)
			}
			// The only refusals: unknown hash, oversized body.
			if res := h.do("POST", "/webhooks/custom-channels/manual-sale.json", sale("X"), "jetti-webhook-hash", "nope"); res.Status != 401 {
				t.Fatalf("unknown hash: %d", res.Status)
			}
			if res := h.do("POST", "/webhooks/custom-channels/manual-sale.json", sale("X")); res.Status != 401 {
				t.Fatalf("no hash: %d", res.Status)
			}
			if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", strings.Repeat("x", 2<<20)); res.Status != 413 {
				t.Fatalf("oversized: %d", res.Status)
			}

			h.drain(h.Channel.ID)
			if got := len(h.logs("status=done&limit=1000")); got != n {
				t.Fatalf("%d done, want %d", got, n)
			}
			failed := h.logs("status=failed")
			if len(failed) != 2 {
				t.Fatalf("failed logs: %v", failed)
			}
			bad := h.logs("externalId=BAD")
			if len(bad) != 1 || bad[0]["status"] != "failed" || !strings.Contains(fmt.Sprint(bad[0]["errors"]), "lineItems must have at least one line") {
				t.Fatalf("log of BAD: %v", bad)
			}
			// The same payload on the synchronous path gets the same error.
			res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), `{"externalId":"BAD","lineItems":[]}`)
			if res.Status != 400 || !strings.Contains(string(res.Body), "lineItems must have at least one line") {
				t.Fatalf("sync BAD: %d %s", res.Status, res.Body)
			}
			done := h.logs("externalId=A7")
			if len(done) != 1 || done[0]["result"].(map[string]any)["sale_id"] == nil || len(done[0]["result"].(map[string]any)["purchase_ids"].([]any)) != 2 {
				t.Fatalf("log of A7: %v", done)
			}
			// Time range and channel filters.
			if got := h.logs(fmt.Sprintf("channel=%d&since=%s&limit=5", h.Channel.ID, time.Now().Add(-time.Minute).Format(time.RFC3339))); len(got) != 5 {
				t.Fatalf("since: %d logs", len(got))
			}
			if got := h.logs("until=2000-01-01T00:00:00Z"); len(got) != 0 {
				t.Fatalf("until: %d logs", len(got))
			}
			sales := h.api("GET", "/api/sales.json?where[externalId]=A7&include[0][model]=SaleItem", nil).array(t)
			if len(sales) != 1 || len(sales[0]["sale_items"].([]any)) != 2 {
				t.Fatalf("sale A7: %v", sales)
			}
		})
	}
}

func TestInboundNewSaleAheadOfUpdates(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			ctx := context.Background()
			// Ten sales exist; then a backlog of 300 updates to them, then
			// variant acknowledgements, then one new sale.
			for i := range 10 {
				h.async("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("U", i), line("L1", "vendor-a", 1)))
			}
			h.drain(h.Channel.ID)
			for i := range 300 {
				if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("U", i%10), line("L1", "vendor-a", 1+i))); res.Status != 200 {
					t.Fatal(res.Status)
				}
			}
			h.async("PUT", "/webhooks/custom-channels/acknowledge-inventory-feed-variant-batches.json",
				[]any{map[string]any{"sku": "nope", "vendorSkus": []any{map[string]any{"vendorSku": "v", "dropshipProviderExternalId": "vendor-a"}}}})
			if res := h.async("POST", "/webhooks/custom-channels/manual-sale.json", sale("NEW", line("L1", "vendor-a", 1))); res.Status != 200 {
				t.Fatal(res.Status)
			}
			h.Processor.BatchSize = 5
			// A turn that finds the channel's lock taken processes nothing:
			// the tests' schemas share one PostgreSQL database, whose
			// advisory locks another package's channel of the same id may
			// hold. Turn again until one has processed messages.
			processed := 0
			h.Processor.OnTurn = func(_ int64, n int) { processed = n }
			for processed == 0 {
				if _, err := h.Processor.Turn(ctx, h.Channel.ID); err != nil {
					t.Fatal(err)
				}
			}
			h.Processor.OnTurn = nil
			if got := h.logs("externalId=NEW"); len(got) != 1 || got[0]["status"] != "done" || got[0]["priority"].(float64) != waybill.InboundPriorityNew {
				t.Fatalf("new sale not processed first: %v", got)
			}
			if pending := h.logs("status=pending&limit=1000"); len(pending) != 297 {
				t.Fatalf("%d pending after one turn of 5, want 297", len(pending))
			}
			h.drain(h.Channel.ID)
			// Updates were applied in arrival order: the last one wins.
			got := h.api("GET", "/api/sales.json?where[externalId]=U9&include[0][model]=SaleItem", nil).array(t)
			if q := got[0]["sale_items"].([]any)[0].(map[string]any)["quantity"].(float64); q != 300 {
				t.Fatalf("U9 quantity %v, want 300 (the last update)", q)
			}
			if got := h.logs("kind=acknowledge_variants"); len(got) != 1 || got[0]["status"] != "failed" {
				t.Fatalf("ack log: %v", got)
			}
		})
	}
}

func TestInboundFairAcrossChannels(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0], 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	busy := h.Channel
	quiet, err := h.Commerce.CreateChannel(ctx, h.Org.ID, commerce.ChannelInput{Name: ptr("Quiet")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		h.async("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("B", i), line("L1", "vendor-a", 1)))
	}
	for i := range 5 {
		h.do("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("Q", i), line("L1", "vendor-a", 1)), "jetti-webhook-hash", quiet.WebhookHash)
	}
	var mu sync.Mutex
	var turns []int64
	quietDone := make(chan struct{})
	h.Processor.Workers, h.Processor.BatchSize = 1, 20
	h.Processor.OnTurn = func(ch int64, n int) {
		mu.Lock()
		defer mu.Unlock()
		turns = append(turns, ch)
		if ch == quiet.ID && n > 0 {
			close(quietDone)
		}
	}
	go h.Processor.Run(ctx, ctx)
	select {
	case <-quietDone:
	case <-time.After(10 * time.Second):
		t.Fatal("quiet channel never served")
	}
	mu.Lock()
	defer mu.Unlock()
	busyTurns := 0
	for _, ch := range turns {
		if ch == busy.ID {
			busyTurns++
		}
	}
	if busyTurns > 1 {
		t.Fatalf("the quiet channel waited %d turns of the busy one (%v)", busyTurns, turns)
	}
}
