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
// query string as given, and returns the response with its body read. The
// exchange is checked against the API documents and reported to t.
func bearerCall(t *testing.T, h *harness, method, path, rawQuery string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = rawQuery
	req.Header.Set("Authorization", "Bearer "+h.Key)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := h.OpenAPI.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, raw
}

// fuzzTarget is a write a fuzzer sends bodies to, on one engine.
type fuzzTarget struct {
	h            *harness
	method, path string
}

// writeSeeds are bodies every write fuzzer starts from: valid writes, and
// the strings the engines would not store alike (NUL, escaped or raw;
// other control characters; invalid UTF-8) or not at all (overlong).
func writeSeeds() []string {
	long := func(n int) string { return strings.Repeat("x", n) }
	return []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"externalId":"F1","lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":9.5,"properties":[{"key":"vendor","value":"v"}]}]}`,
		`{"externalId":"F2","customer":{"email":"a@b"},"lineItems":[{"externalId":"L1","name":"x","quantity":0,"price":-1}]}`,
		`[{"sku":"S1","externalId":"V1","name":"Mug","price":1,"vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`[{"sku":"S1","vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`{"trackingNumber":"1Z999AA10123456784","trackingCompany":"UPS"}`, `{"trackingNumber":"x","items":[{"saleItemId":999,"quantity":5}]}`,
		`{"trackingNumber":"` + string(bytes.Repeat([]byte("9"), 300)) + `"}`, "\xff\xfe", `{"lineItems":[{"quantity":1e999}]}`,
		// NUL and other control characters, escaped and raw.
		`{"externalId":"N\u0000UL","lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		"{\"externalId\":\"N\x00UL\",\"lineItems\":[{\"externalId\":\"L1\",\"name\":\"Mug\",\"quantity\":1,\"price\":1}]}",
		`{"externalId":"C1","saleDefaults":{"notes":"\u001b[2J","tags":["\u0000"]},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		`[{"sku":"S\u0000","vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`{"trackingNumber":"1Z\u0000","trackingCompany":"UPS"}`,
		// Invalid UTF-8 inside a string, and a lone surrogate.
		"{\"externalId\":\"U\xff\xfe\",\"lineItems\":[{\"externalId\":\"L1\",\"name\":\"M\xc3\",\"quantity\":1,\"price\":1}]}",
		`{"externalId":"\ud800","lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		"[{\"sku\":\"S\xed\xa0\x80\",\"vendorSkus\":[{\"vendorSku\":\"VS1\",\"dropshipProviderExternalId\":\"v\"}]}]",
		// Overlong strings and lists.
		`{"externalId":"` + long(300) + `","lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		`{"externalId":"T1","saleDefaults":{"tags":["` + long(1_000_000) + `"]},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		`{"externalId":"T2","saleDefaults":{"notes":"` + long(100_000) + `"},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
		`[{"sku":"` + long(10_000) + `","vendorSkus":[{"vendorSku":"VS1","dropshipProviderExternalId":"v"}]}]`,
		`{"trackingNumber":"1Z","trackingUrl":"https://x/` + long(10_000) + `"}`,
		`{"externalId":"T3","saleDefaults":{"tags":[` + strings.Repeat(`"t",`, 1000) + `"t"]},"lineItems":[{"externalId":"L1","name":"Mug","quantity":1,"price":1}]}`,
	}
}

// FuzzOnportWrites sends arbitrary bodies to the synchronous channel
// writes and to ship, on every engine (PostgreSQL too when
// WAYBILL_TEST_POSTGRES_URL is set): never a 5xx or a panic, a refusal is
// Onport's error body, and a refused request changes nothing.
func FuzzOnportWrites(f *testing.F) {
	for _, seed := range writeSeeds() {
		for which := range uint8(5) { // every target
			f.Add([]byte(seed), which)
		}
	}
	var targets [][]fuzzTarget // per engine
	for _, engine := range testdb.Engines() {
		h := newHarness(f, engine, 0)
		// A routed sale, so that ship has a purchase to work on.
		res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("BASE", line("L1", "vendor-a", 2)))
		purchase := num(res.object(f)["purchases"].([]any)[0].(map[string]any)["id"])
		targets = append(targets, []fuzzTarget{
			{h, "POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)},
			{h, "POST", fmt.Sprintf("/api/channels/%d/import-connector-variant-batches.json", h.Channel.ID)},
			{h, "PUT", fmt.Sprintf("/api/channels/%d/acknowledge-variant-batches.json", h.Channel.ID)},
			{h, "PUT", fmt.Sprintf("/api/channels/%d/disconnect-variant-batches.json", h.Channel.ID)},
			{h, "POST", fmt.Sprintf("/api/purchases/%d/ship.json", purchase)},
		})
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		for _, engine := range targets {
			target := engine[int(which)%len(engine)]
			h := target.h
			before := rowCounts(t, h)
			res, raw := bearerCall(t, h, target.method, target.path, "", body)
			if res.StatusCode >= 500 {
				t.Fatalf("%s %s with %.200q: HTTP %d\n%s", target.method, target.path, body, res.StatusCode, raw)
			}
			if res.StatusCode < 300 {
				continue
			}
			var e onportError
			if err := json.Unmarshal(raw, &e); err != nil || e.Message == nil || e.Code == nil {
				t.Fatalf("%s %s with %.200q: HTTP %d without Onport's error body:\n%s", target.method, target.path, body, res.StatusCode, raw)
			}
			if after := rowCounts(t, h); after != before {
				t.Fatalf("%s %s with %.200q was refused (%d) but changed rows:\nbefore %s\nafter  %s", target.method, target.path, body, res.StatusCode, before, after)
			}
		}
	})
}

// FuzzOnportAsync posts arbitrary bodies to the asynchronous manual-sale
// endpoint on every engine, then processes the channel's queue: the post
// answers 200 or Onport's 4xx, never a 5xx (a 503 is a failed group commit,
// what a NUL once caused on PostgreSQL), every accepted message ends done or
// failed, and a failed one stores nothing.
func FuzzOnportAsync(f *testing.F) {
	for _, seed := range writeSeeds() {
		f.Add([]byte(seed))
	}
	var harnesses []*harness
	for _, engine := range testdb.Engines() {
		harnesses = append(harnesses, newHarness(f, engine, 0))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range harnesses {
			before := rowCounts(t, h)
			req, err := http.NewRequest("POST", h.URL+"/webhooks/custom-channels/manual-sale.json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("jetti-webhook-hash", h.Channel.WebhookHash)
			req.Header.Set("Content-Type", "application/json")
			res, err := h.OpenAPI.Client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("async %.200q: HTTP %d\n%s", body, res.StatusCode, raw)
			}
			if res.StatusCode >= 300 {
				var e onportError
				if err := json.Unmarshal(raw, &e); err != nil || e.Message == nil {
					t.Fatalf("async %.200q: HTTP %d without Onport's error body:\n%s", body, res.StatusCode, raw)
				}
				continue
			}
			for more := true; more; {
				if more, err = h.Processor.Turn(context.Background(), h.Channel.ID); err != nil {
					t.Fatalf("async %.200q: processing: %v", body, err)
				}
			}
			var pending, failed int
			if err := h.DB.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE status = 'pending'`).Scan(&pending); err != nil {
				t.Fatal(err)
			}
			if err := h.DB.QueryRow(`SELECT COUNT(*) FROM inbound_messages WHERE id = (SELECT MAX(id) FROM inbound_messages) AND status = 'failed'`).Scan(&failed); err != nil {
				t.Fatal(err)
			}
			if pending != 0 {
				t.Fatalf("async %.200q: %d messages still pending after the queue was processed", body, pending)
			}
			if after := rowCounts(t, h); failed == 1 && after != before {
				t.Fatalf("async %.200q failed but changed rows:\nbefore %s\nafter  %s", body, before, after)
			}
		}
	})
}

// FuzzOnportQuery sends arbitrary query strings (include, where,
// pagination) to the listings on every engine: a 200 with a JSON array, or
// a 4xx with Onport's error body; never a 5xx.
func FuzzOnportQuery(f *testing.F) {
	for _, seed := range []string{
		``, `include[0][model]=Customer&include[1][model]=SaleItem`, `where[externalId]=S1,S2&limit=2&page=3`,
		`where[status]=dropship&offset=-1`, `include[0][model]=Nope`, `where[nope]=1`, `limit=99999999999999999999`,
		`include[x][model]=Sale`, `where=1`, `where[id]=abc`, `%zz`, `include[0][model]=Purchase&include[0][model]=Channel`,
		// NUL, other control characters, invalid UTF-8 and overlong values.
		`where[externalId]=Q%001`, `where[externalId]=%1b%5b2J`, `where[status]=%ff%fe`, `where[externalId]=%ed%a0%80`,
		`where[id]=1%00`, `include[0][model]=Sale%00`, `limit=1%00`, `where[externalId]=` + strings.Repeat("q", 100_000),
		`where[externalId]=` + strings.Repeat("Q1,", 5_000) + `Q1`, `where[%00]=1`,
	} {
		f.Add(seed, uint8(0))
	}
	var harnesses []*harness
	for _, engine := range testdb.Engines() {
		h := newHarness(f, engine, 0)
		h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID), sale("Q1", line("L1", "vendor-a", 1)))
		harnesses = append(harnesses, h)
	}
	paths := []string{"/api/sales.json", "/api/dropshipments.json", "/api/purchases.json", "/api/customers.json", "/api/channels.json", "/api/variants.json"}
	f.Fuzz(func(t *testing.T, query string, which uint8) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			t.Skip("not a query a client can send: the request line would be malformed")
		}
		path := paths[int(which)%len(paths)]
		for _, h := range harnesses {
			res, raw := bearerCall(t, h, "GET", path, query, nil)
			switch {
			case res.StatusCode == 200:
				var list []json.RawMessage
				if err := json.Unmarshal(raw, &list); err != nil {
					t.Fatalf("GET %s?%.200s: 200 without a JSON array: %s", path, query, raw)
				}
			case res.StatusCode >= 400 && res.StatusCode < 500:
				var e onportError
				if err := json.Unmarshal(raw, &e); err != nil || e.Message == nil {
					t.Fatalf("GET %s?%.200s: %d without Onport's error body: %s", path, query, res.StatusCode, raw)
				}
			default:
				t.Fatalf("GET %s?%.200s: HTTP %d\n%s", path, query, res.StatusCode, raw)
			}
		}
	})
}
