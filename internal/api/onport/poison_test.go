package onport_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/testdb"
)

// count returns the number of rows of table that belong to the organization.
func (h *harness) count(table string, orgID int64) int {
	h.t.Helper()
	var n int
	if err := h.DB.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s WHERE org_id = %d", table, orgID)).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// poisoned are bodies no engine stores alike: a NUL, another C0 control
// character, invalid UTF-8, each where a string of the body can hold it.
var poisoned = map[string]string{
	"NUL in externalId":        `{"externalId":"A\u0000","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
	"NUL in a line name":       `{"externalId":"A1","lineItems":[{"externalId":"a","name":"x\u0000","quantity":1,"price":1}]}`,
	"escape in notes":          `{"externalId":"A2","saleDefaults":{"notes":"\u001b[2J"},"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
	"NUL in a key":             `{"externalId":"A3","x\u0000":1,"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`,
	"invalid UTF-8":            "{\"externalId\":\"A4\xff\",\"lineItems\":[{\"externalId\":\"a\",\"name\":\"x\",\"quantity\":1,\"price\":1}]}",
	"NUL in a product import":  `[{"sku":"S\u0000","name":"x"}]`,
	"NUL in a vendor SKU list": `[{"sku":"S","vendorSkus":[{"vendorSku":"\u0000","dropshipProviderExternalId":"v"}]}]`,
}

// TestControlCharactersRefused holds that a body whose strings hold a NUL,
// another control character or invalid UTF-8 is refused with the Onport
// 400 on both engines, on the asynchronous endpoints (before it is
// queued) and the synchronous ones, and that nothing is stored; a where
// filter with a NUL is a 400 too.
func TestControlCharactersRefused(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			for name, body := range poisoned {
				async, sync := "POST /webhooks/custom-channels/manual-sale.json", "POST /api/channels/%d/manual-sale.json"
				if strings.HasPrefix(body, "[") {
					async, sync = "POST /webhooks/custom-channels/products.json", "POST /api/channels/%d/import-connector-variant-batches.json"
				}
				if strings.Contains(name, "vendor SKU") {
					async, sync = "PUT /webhooks/custom-channels/acknowledge-inventory-feed-variant-batches.json", "PUT /api/channels/%d/acknowledge-variant-batches.json"
				}
				am, ap, _ := strings.Cut(async, " ")
				sm, sp, _ := strings.Cut(fmt.Sprintf(sync, h.Channel.ID), " ")
				for _, res := range []response{h.async(am, ap, body), h.api(sm, sp, body)} {
					if res.Status != 400 || !strings.Contains(string(res.Body), "control character") && !strings.Contains(string(res.Body), "UTF-8") {
						t.Errorf("%s: %d %s, want 400", name, res.Status, res.Body)
					}
				}
			}
			for _, q := range []string{"where[externalId]=" + url.QueryEscape("A\x00"), "where[reference]=" + url.QueryEscape("\x00")} {
				if res := h.api("GET", "/api/sales.json?"+q, nil); res.Status != 400 {
					t.Errorf("GET /api/sales.json?%s: %d %s, want 400", q, res.Status, res.Body)
				}
			}
			for _, table := range []string{"inbound_messages", "sales", "variants"} {
				if n := h.count(table, h.Org.ID); n != 0 {
					t.Errorf("refused bodies left %d rows in %s", n, table)
				}
			}
		})
	}
}

// TestPoisonedTenantLeavesOthersAlone holds the tenant isolation of
// asynchronous ingestion: while organization A sends poisoned manual sales,
// organization B's concurrent valid posts share the group commits and are
// all accepted (0 refusals) and stored.
func TestPoisonedTenantLeavesOthersAlone(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			ctx := context.Background()
			orgB, _, err := h.Tenants.CreateOrg(ctx, "bravo")
			if err != nil {
				t.Fatal(err)
			}
			chB, err := h.Commerce.CreateChannel(ctx, orgB.ID, commerce.ChannelInput{Name: ptr("B")})
			if err != nil {
				t.Fatal(err)
			}
			const n = 150
			var wg sync.WaitGroup
			statusA := make([]int, n)
			statusB := make([]int, n)
			for i := range n {
				wg.Add(2)
				go func() {
					defer wg.Done()
					body := fmt.Sprintf(`{"externalId":"A-%d\u0000","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`, i)
					statusA[i] = h.async("POST", "/webhooks/custom-channels/manual-sale.json", body).Status
				}()
				go func() {
					defer wg.Done()
					statusB[i] = h.do("POST", "/webhooks/custom-channels/manual-sale.json", sale(fmt.Sprint("B-", i), line("L1", "", 1)),
						"jetti-webhook-hash", chB.WebhookHash).Status
				}()
			}
			wg.Wait()
			refusedB := 0
			for i := range n {
				if statusB[i] != 200 {
					refusedB++
				}
				if statusA[i] != 400 {
					t.Errorf("poisoned post %d of A: %d, want 400", i, statusA[i])
				}
			}
			if refusedB != 0 {
				t.Errorf("B got %d of %d posts refused, want 0", refusedB, n)
			}
			if got := h.count("inbound_messages", orgB.ID); got != n {
				t.Errorf("B has %d messages stored, want %d", got, n)
			}
			if got := h.count("inbound_messages", h.Org.ID); got != 0 {
				t.Errorf("A has %d poisoned messages stored, want 0", got)
			}
		})
	}
}
