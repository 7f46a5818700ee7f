package onport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// onportError is the face's error body.
type onportError struct {
	Message *string  `json:"message"`
	Code    *string  `json:"code"`
	Errors  []string `json:"errors"`
}

// rowCounts counts the rows a channel write can touch.
func rowCounts(t *testing.T, h *harness) string {
	t.Helper()
	var out bytes.Buffer
	for _, table := range []string{"sales", "sale_items", "customers", "dropship_providers", "purchases", "purchase_items",
		"dropshipments", "dropshipment_items", "variants", "events", "trackings"} {
		var n int
		if err := h.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%s=%d ", table, n)
	}
	return out.String()
}

// bearerCall sends one request with the harness's Bearer key and a raw
// query string as given, and returns the response with its body read.
func bearerCall(t *testing.T, h *harness, method, path, rawQuery string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = rawQuery
	req.Header.Set("Authorization", "Bearer "+h.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, raw
}

// FuzzOnportWrites sends arbitrary bodies to the synchronous channel
// writes and to ship: never a 5xx or a panic, a refusal is Onport's error
// body, and a refused request changes nothing.
func FuzzOnportWrites(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"externalId":"F1","lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"v"}]}]}`,
		`{"externalId":"F2","customer":{"email":"a@b"},"lineItems":[{"externalId":"L1","name":"x","quantity":0,"price":-1}]}`,
		`[{"sku":"S1","externalId":"V1","name":"Mug","price":1,"vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`[{"sku":"S1","vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`{"trackingNumber":"1Z999AA10123456784","trackingCompany":"UPS"}`, `{"trackingNumber":"x","items":[{"saleItemId":999,"quantity":5}]}`,
		`{"trackingNumber":"` + string(bytes.Repeat([]byte("9"), 300)) + `"}`, "\xff\xfe", `{"lineItems":[{"quantity":1e999}]}`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	h := newHarness(f, testdb.Engines()[0], 0)
	// A routed sale, so that ship has a purchase to work on.
	res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("BASE", line("L1", "vendor-a", 2)))
	purchase := num(res.object(f)["purchases"].([]any)[0].(map[string]any)["id"])
	targets := []struct{ method, path string }{
		{"POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)},
		{"POST", fmt.Sprintf("/api/channels/%d/import-connector-variant-batches.json", h.Channel.ID)},
		{"PUT", fmt.Sprintf("/api/channels/%d/acknowledge-variant-batches.json", h.Channel.ID)},
		{"PUT", fmt.Sprintf("/api/channels/%d/disconnect-variant-batches.json", h.Channel.ID)},
		{"POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase)},
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		target := targets[int(which)%len(targets)]
		before := rowCounts(t, h)
		res, raw := bearerCall(t, h, target.method, target.path, "", body)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: HTTP %d\n%s", target.method, target.path, body, res.StatusCode, raw)
		}
		if res.StatusCode < 300 {
			return
		}
		var e onportError
		if err := json.Unmarshal(raw, &e); err != nil || e.Message == nil || e.Code == nil {
			t.Fatalf("%s %s with %q: HTTP %d without Onport's error body:\n%s", target.method, target.path, body, res.StatusCode, raw)
		}
		if after := rowCounts(t, h); after != before {
			t.Fatalf("%s %s with %q was refused (%d) but changed rows:\nbefore %s\nafter  %s", target.method, target.path, body, res.StatusCode, before, after)
		}
	})
}

// FuzzOnportQuery sends arbitrary query strings (include, where,
// pagination) to the listings: a 200 with a JSON array, or a 4xx with
// Onport's error body; never a 5xx.
func FuzzOnportQuery(f *testing.F) {
	for _, seed := range []string{
		``, `include[0][model]=Customer&include[1][model]=SaleItem`, `where[externalId]=S1,S2&limit=2&page=3`,
		`where[status]=dropship&offset=-1`, `include[0][model]=Nope`, `where[nope]=1`, `limit=99999999999999999999`,
		`include[x][model]=Sale`, `where=1`, `where[id]=abc`, `%zz`, `include[0][model]=Purchase&include[0][model]=Channel`,
	} {
		f.Add(seed, uint8(0))
	}
	h := newHarness(f, testdb.Engines()[0], 0)
	h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("Q1", line("L1", "vendor-a", 1)))
	paths := []string{"/api/sales.json", "/api/dropshipments.json", "/api/purchases.json", "/api/customers.json", "/api/channels.json", "/api/variants.json"}
	f.Fuzz(func(t *testing.T, query string, which uint8) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			t.Skip("not a query a client can send: the request line would be malformed")
		}
		path := paths[int(which)%len(paths)]
		res, raw := bearerCall(t, h, "GET", path, query, nil)
		switch {
		case res.StatusCode == 200:
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				t.Fatalf("GET %s?%s: 200 without a JSON array: %s", path, query, raw)
			}
		case res.StatusCode >= 400 && res.StatusCode < 500:
			var e onportError
			if err := json.Unmarshal(raw, &e); err != nil || e.Message == nil {
				t.Fatalf("GET %s?%s: %d without Onport's error body: %s", path, query, res.StatusCode, raw)
			}
		default:
			t.Fatalf("GET %s?%s: HTTP %d\n%s", path, query, res.StatusCode, raw)
		}
	})
}
