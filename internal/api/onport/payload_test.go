package onport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedSnapshot is a shipment as the core records it, with fixed values.
func fixedSnapshot() waybill.CommerceSnapshot {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	ch := waybill.Channel{ID: 20579, OrgID: 18683, Name: "Custom", WebhookHash: "3f2a9c0d5e6b7a8f9e0d1c2b3a4f5e6d", CreatedAt: at("2021-11-04T09:44:44.437Z")}
	sale := waybill.Sale{ID: 12806, OrgID: 18683, ChannelID: 20579, CustomerID: 12485, ExternalID: "sale-external-id", Reference: "10001",
		Status: waybill.SaleStatusCompleted, Tags: []string{"dropship"},
		Billing:  waybill.Address{FirstName: "Grace", LastName: "Hopper", AddressLine1: "1 Navy Way", City: "Arlington", State: "VA", Country: "US", Zip: "22201"},
		Shipping: waybill.Address{FirstName: "Ada", LastName: "Lovelace", AddressLine1: "9 Palm Dr", City: "Beverly Hills", State: "California", Country: "US", Zip: "90210"},
		Subtotal: 100, Total: 100, Quantity: 10, DateOrdered: at("2021-11-04T09:44:44.762Z"),
		CreatedAt: at("2021-11-04T09:44:44.762Z"), UpdatedAt: at("2021-11-04T09:44:47.940Z")}
	item := waybill.SaleItem{ID: 18277, OrgID: 18683, SaleID: 12806, ExternalID: "line-1", Name: "HACK", Quantity: 10, Price: 10,
		VariantExternalID: "var-1", DropshipProviderID: 17813, CreatedAt: at("2021-11-04T09:44:45.099Z"), UpdatedAt: at("2021-11-04T09:44:48.226Z")}
	purchase := waybill.Purchase{ID: 12448, OrgID: 18683, SaleID: 12806, DropshipProviderID: 17813, Reference: "10001-01",
		Status: waybill.PurchaseStatusShipped, CreatedAt: at("2021-11-04T09:44:46Z"), UpdatedAt: at("2021-11-04T09:44:48.240Z")}
	d := waybill.Dropshipment{ID: 5824, OrgID: 18683, SaleID: 12806, PurchaseID: 12448, Reference: "10001-01-01", TrackingCompany: "UPS",
		TrackingNumber: "1Z999AA10123456784", ServiceLevel: "ground", Slug: "ups", TrackingID: "b3b1f2a4c5d6e7f8091a2b3c4d5e6f70",
		CreatedAt: at("2021-11-04T09:44:48.149Z"), UpdatedAt: at("2021-11-04T09:44:48.240Z")}
	di := waybill.DropshipmentItem{ID: 6448, OrgID: 18683, DropshipmentID: 5824, SaleItemID: 18277, PurchaseItemID: 23317, Quantity: 10,
		CreatedAt: at("2021-11-04T09:44:48.164Z")}
	cust := waybill.Customer{ID: 12485, OrgID: 18683, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
	return waybill.CommerceSnapshot{Channel: &ch, Customer: &cust, Sale: &sale, SaleItems: []waybill.SaleItem{item},
		Purchases: []waybill.Purchase{purchase}, Providers: []waybill.DropshipProvider{{ID: 17813, OrgID: 18683, ExternalID: "17320", Name: "17320"}},
		Dropshipment: &d, DropshipmentItems: []waybill.DropshipmentItem{di}}
}

func TestFulfillmentGolden(t *testing.T) {
	b, err := onport.Payloads{PublicURL: "http://localhost:5000"}.Fulfillment(fixedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "fulfillment.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("fulfillment payload mismatch (-want +got):\n%s", diff)
	}
	checkShape(t, got)
	if err := openapitest.CheckWebhook("onport", waybill.EventFulfillment, got); err != nil {
		t.Error(err)
	}
}

// checkShape compares a payload with Onport's documented example
// (testdata/seed003.json): every attribute of the example is present,
// with the same JSON type or null, and nothing is added.
func checkShape(t *testing.T, got []byte) {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("testdata", "seed003.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want, have any
	if err := json.Unmarshal(seed, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, w, h any)
	walk = func(path string, w, h any) {
		switch wv := w.(type) {
		case map[string]any:
			hv, ok := h.(map[string]any)
			if !ok {
				t.Errorf("%s: want an object, got %T", path, h)
				return
			}
			for k := range wv {
				if _, ok := hv[k]; !ok {
					t.Errorf("%s.%s: missing", path, k)
					continue
				}
				walk(path+"."+k, wv[k], hv[k])
			}
			for k := range hv {
				if _, ok := wv[k]; !ok {
					t.Errorf("%s.%s: not in Onport's payload", path, k)
				}
			}
		case []any:
			hv, ok := h.([]any)
			if !ok {
				t.Errorf("%s: want an array, got %T", path, h)
				return
			}
			if len(wv) > 0 {
				for i := range hv {
					walk(fmt.Sprintf("%s[%d]", path, i), wv[0], hv[i])
				}
			}
		case nil:
		default:
			if h != nil && fmt.Sprintf("%T", w) != fmt.Sprintf("%T", h) {
				t.Errorf("%s: want %T, got %T", path, w, h)
			}
		}
	}
	walk("$", want, have)
}

// TestFulfillmentEvent ships a purchase, acknowledges the dropshipment and
// renders the events the core wrote, through the renderer the webhook
// deliverer uses, in both payload forms; each matches its webhook in the
// onport API document.
func TestFulfillmentEvent(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0], 0)
	res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("F1", line("L1", "vendor-a", 2)))
	purchase := num(res.object(t)["purchases"].([]any)[0].(map[string]any)["id"])
	res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase), map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS"})
	if res.Status != 201 {
		t.Fatalf("ship: %d %s", res.Status, res.Body)
	}
	if ack := h.api("PUT", fmt.Sprintf("/api/dropshipments/%d/acknowledge.json", num(res.object(t)["id"])), nil); ack.Status != 200 {
		t.Fatalf("acknowledge: %d %s", ack.Status, ack.Body)
	}
	events, err := h.Webhooks.Events(context.Background(), h.Org.ID, time.Time{}, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	p := onport.Payloads{PublicURL: "http://waybill.test"}
	seen := 0
	for _, e := range events {
		if !p.Handles(e.Type) {
			continue
		}
		body, err := p.WebhookPayload(e, "")
		if err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		if err := openapitest.CheckWebhook("onport", e.Type, body); err != nil {
			t.Error(err)
		}
		resource, err := p.WebhookPayload(e, "onport")
		if err != nil {
			t.Fatalf("%s (onport): %v", e.Type, err)
		}
		if err := openapitest.CheckWebhook("onport", e.Type, resource); err != nil {
			t.Error(err)
		}
		if e.Type == waybill.EventFulfillment {
			checkShape(t, body)
			if !bytes.Contains(body, []byte(`"trackingNumber":"1Z999AA10123456784"`)) || !bytes.Contains(body, []byte(`"externalId":"F1"`)) {
				t.Errorf("fulfillment payload lacks real values: %s", body)
			}
		}
		seen++
	}
	if seen != 3 {
		t.Fatalf("rendered %d Onport events, want sale.dropship, dropshipment.fulfillment and dropshipment.acknowledged", seen)
	}
}
