package onport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestRecordsEventsAndVariants walks the routes the other tests leave out,
// so that each answers once through the harness (and its API document):
// one purchase, customer, channel and variant by id, a dropshipment's
// tracking fields changed, tracking events posted and listed, and vendor
// SKUs disconnected through the asynchronous endpoint.
func TestRecordsEventsAndVariants(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("REC1", line("L1", "vendor-a", 2)))
			if res.Status != 201 {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			s := res.object(t)
			purchase := num(s["purchases"].([]any)[0].(map[string]any)["id"])
			customer := num(s["customerId"])

			p := h.api("GET", fmt.Sprintf("/api/purchases/%d.json?include[0][model]=SaleItem", purchase), nil)
			if p.Status != 200 || num(p.object(t)["saleId"]) != num(s["id"]) || len(p.object(t)["sale_items"].([]any)) != 1 {
				t.Fatalf("purchase: %d %s", p.Status, p.Body)
			}
			c := h.api("GET", fmt.Sprintf("/api/customers/%d.json", customer), nil)
			if c.Status != 200 || c.object(t)["email"] != "ada@example.com" {
				t.Fatalf("customer: %d %s", c.Status, c.Body)
			}
			chs := h.api("GET", "/api/channels.json", nil).array(t)
			if len(chs) != 1 || num(chs[0]["id"]) != h.Channel.ID {
				t.Fatalf("channels: %v", chs)
			}
			ch := h.api("GET", fmt.Sprintf("/api/channels/%d.json", h.Channel.ID), nil)
			if ch.Status != 200 || ch.object(t)["hash"] != h.Channel.WebhookHash {
				t.Fatalf("channel: %d %s", ch.Status, ch.Body)
			}

			// A null body is no ship request (it once shipped every open line).
			if res := h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), "null"); res.Status != 400 || !strings.Contains(string(res.Body), "null") {
				t.Fatalf("ship null: %d %s", res.Status, res.Body)
			}
			if ds := h.api("GET", fmt.Sprintf("/api/dropshipments.json?where[purchaseId]=%d", purchase), nil).array(t); len(ds) != 0 {
				t.Fatalf("ship null made %d dropshipments", len(ds))
			}

			// A dropshipment whose number is corrected follows the new one.
			res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"})
			if res.Status != 201 {
				t.Fatalf("ship: %d %s", res.Status, res.Body)
			}
			d := res.object(t)
			res = h.api("PUT", fmt.Sprintf("/api/dropshipments/%d.json", num(d["id"])), map[string]any{"trackingNumber": "1Z999AA10123456795", "serviceLevel": "express"})
			if res.Status != 200 {
				t.Fatalf("update dropshipment: %d %s", res.Status, res.Body)
			}
			if u := res.object(t); u["trackingNumber"] != "1Z999AA10123456795" || u["serviceLevel"] != "express" || u["aftershipId"] == nil || u["aftershipId"] == d["aftershipId"] {
				t.Fatalf("updated dropshipment: %s (was %v)", res.Body, d["aftershipId"])
			}

			// Tracking events: once per transactionId, wrapped or bare.
			event := map[string]any{"dropshipmentId": num(d["id"]), "transactionId": "tx-1", "statusAt": "2026-11-02T10:00:00Z",
				"status": "transit", "subStatus": "out_for_delivery", "city": "Leeds"}
			first := h.api("POST", "/api/tracking-events.json", map[string]any{"trackingEvents": event})
			again := h.api("POST", "/api/tracking-events.json", event)
			if first.Status != 201 || again.Status != 201 || num(first.object(t)["id"]) != num(again.object(t)["id"]) {
				t.Fatalf("tracking event: %d %s, again %d %s", first.Status, first.Body, again.Status, again.Body)
			}
			events := h.api("GET", fmt.Sprintf("/api/tracking-events.json?where[dropshipmentId]=%d", num(d["id"])), nil).array(t)
			if len(events) != 1 || events[0]["subStatus"] != "out_for_delivery" {
				t.Fatalf("tracking events: %v", events)
			}
			if e := h.api("GET", fmt.Sprintf("/api/tracking-events/%d.json", num(events[0]["id"])), nil); e.Status != 200 || e.object(t)["city"] != "Leeds" {
				t.Fatalf("tracking event: %d %s", e.Status, e.Body)
			}

			// Variants: imported, read back, then disconnected asynchronously.
			res = h.api("POST", fmt.Sprintf("/api/channels/%d/import-connector-variant-batches.json", h.Channel.ID),
				[]any{map[string]any{"sku": "SKU-1", "name": "Shoe", "price": 20, "vendorSkus": []any{map[string]any{"vendorSku": "V-1", "dropshipProviderExternalId": "vendor-a"}}}})
			if res.Status != 200 || len(res.object(t)["variantIds"].([]any)) != 1 {
				t.Fatalf("import: %d %s", res.Status, res.Body)
			}
			variant := num(res.object(t)["variantIds"].([]any)[0])
			vs := h.api("GET", "/api/variants.json?where[sku]=SKU-1&include[0][model]=Channel", nil).array(t)
			if len(vs) != 1 || num(vs[0]["id"]) != variant || vs[0]["channel"] == nil {
				t.Fatalf("variants: %v", vs)
			}
			res = h.async("PUT", "/webhooks/custom-channels/disconnect-inventory-feed-variant-batches.json",
				[]any{map[string]any{"sku": "SKU-1", "vendorSkus": []any{map[string]any{"vendorSku": "V-1", "dropshipProviderExternalId": "vendor-a"}}}})
			if res.Status != 200 {
				t.Fatalf("disconnect: %d %s", res.Status, res.Body)
			}
			h.drain(h.Channel.ID)
			v := h.api("GET", fmt.Sprintf("/api/variants/%d.json", variant), nil)
			if v.Status != 200 {
				t.Fatalf("variant: %d %s", v.Status, v.Body)
			}
			if skus := v.object(t)["vendorSkus"].([]any); len(skus) != 1 || skus[0].(map[string]any)["state"] != "disconnected" {
				t.Fatalf("variant after disconnect: %s", v.Body)
			}
		})
	}
}
