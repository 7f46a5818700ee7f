package onport_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

func TestManualSaleIncludeWherePagination(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			chPath := fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)

			res := h.api("POST", chPath, sale("S1", line("L1", "vendor-a", 2), line("L2", "vendor-b", 1), line("L3", "vendor-a", 3)))
			if res.Status != 201 {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			s := res.object(t)
			saleID := num(s["id"])
			if s["externalId"] != "S1" || s["status"] != "dropship" || len(s["sale_items"].([]any)) != 3 || len(s["purchases"].([]any)) != 2 {
				t.Fatalf("created sale: %s", res.Body)
			}
			if s["customer"].(map[string]any)["email"] != "ada@example.com" || s["total"].(float64) != 65 {
				t.Fatalf("customer or total: %s", res.Body)
			}

			// Update by externalId: same sale, one more line, changed quantity.
			upd := sale("S1", line("L1", "vendor-a", 5), line("L4", "vendor-b", 1))
			res = h.api("POST", chPath, upd)
			if res.Status != 200 || num(res.object(t)["id"]) != saleID {
				t.Fatalf("update: %d %s", res.Status, res.Body)
			}
			if n := len(res.object(t)["sale_items"].([]any)); n != 4 {
				t.Fatalf("after update %d lines, want 4", n)
			}

			for i := 2; i <= 5; i++ {
				if res := h.api("POST", chPath, sale(fmt.Sprintf("S%d", i), line("L1", "vendor-a", 1))); res.Status != 201 {
					t.Fatalf("create S%d: %d %s", i, res.Status, res.Body)
				}
			}

			// Side-loading with Onport's keys.
			res = h.api("GET", fmt.Sprintf("/api/sales/%d.json?include[0][model]=Customer&include[1][model]=SaleItem&include[2][model]=Purchase&include[3][model]=Channel", saleID), nil)
			got := res.object(t)
			for _, key := range []string{"customer", "sale_items", "purchases", "channel"} {
				if got[key] == nil {
					t.Errorf("include: no %q in %s", key, res.Body)
				}
			}
			res = h.api("GET", fmt.Sprintf("/api/sales/%d.json", saleID), nil)
			if _, ok := res.object(t)["customer"]; ok {
				t.Error("customer side-loaded without include")
			}

			// where and pagination.
			list := h.api("GET", "/api/sales.json?where[externalId]=S3", nil).array(t)
			if len(list) != 1 || list[0]["externalId"] != "S3" {
				t.Fatalf("where[externalId]: %v", list)
			}
			list = h.api("GET", "/api/sales.json?limit=2&offset=1", nil).array(t)
			if len(list) != 2 || list[0]["externalId"] != "S2" || list[1]["externalId"] != "S3" {
				t.Fatalf("limit/offset: %v", list)
			}
			list = h.api("GET", "/api/sales.json?limit=2&page=3", nil).array(t)
			if len(list) != 1 || list[0]["externalId"] != "S5" {
				t.Fatalf("page: %v", list)
			}
			if res := h.api("GET", "/api/sales.json?where[password]=x", nil); res.Status != 400 {
				t.Errorf("unknown where: %d", res.Status)
			}
			if res := h.api("GET", "/api/sales.json?include[0][model]=Nope", nil); res.Status != 400 {
				t.Errorf("unknown include: %d", res.Status)
			}
			if res := h.api("GET", "/api/sales/999999.json", nil); res.Status != 404 {
				t.Errorf("missing sale: %d", res.Status)
			}

			// Purchases with their vendor and lines; customers with their sales.
			ps := h.api("GET", fmt.Sprintf("/api/purchases.json?where[saleId]=%d&include[0][model]=DropshipProvider&include[1][model]=PurchaseItem", saleID), nil).array(t)
			if len(ps) != 2 || ps[0]["dropship_provider"].(map[string]any)["externalId"] != "vendor-a" || len(ps[0]["purchase_items"].([]any)) != 2 {
				t.Fatalf("purchases: %v", ps)
			}
			cs := h.api("GET", "/api/customers.json?where[email]=ada@example.com&include[0][model]=Sale", nil).array(t)
			if len(cs) != 1 || len(cs[0]["sales"].([]any)) != 5 {
				t.Fatalf("customers: %v", cs)
			}

			// Another organization sees none of it.
			_, other, err := h.Tenants.CreateOrg(context.Background(), "other")
			if err != nil {
				t.Fatal(err)
			}
			res = h.do("GET", fmt.Sprintf("/api/sales/%d.json", saleID), nil, "Authorization", "Bearer "+other)
			if res.Status != 404 {
				t.Errorf("other org reads the sale: %d", res.Status)
			}
			res = h.do("POST", chPath, sale("X"), "Authorization", "Bearer "+other)
			if res.Status != 404 {
				t.Errorf("other org writes to the channel: %d", res.Status)
			}
			if res := h.do("GET", "/api/sales.json", nil); res.Status != 401 {
				t.Errorf("no token: %d", res.Status)
			}
		})
	}
}

func TestManualSaleValidation(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0], 0)
	chPath := fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)
	for _, tt := range []struct {
		name, body, want string
	}{
		{"not json", `{"externalId":`, "invalid JSON"},
		{"no external id", `{"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`, "externalId is required"},
		{"no lines", `{"externalId":"a"}`, "lineItems must have at least one line"},
		{"bad quantity", `{"externalId":"a","lineItems":[{"externalId":"a","name":"x","quantity":0,"price":1}]}`, "quantity must be between"},
		{"fractional quantity", `{"externalId":"a","lineItems":[{"externalId":"a","name":"x","quantity":1.5,"price":1}]}`, "must be a number"},
		{"negative price", `{"externalId":"a","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":-1}]}`, "price must be"},
		{"duplicate line", `{"externalId":"a","lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1},{"externalId":"a","name":"y","quantity":1,"price":1}]}`, "appears twice"},
		{"bad email", `{"externalId":"a","customer":{"email":"nope"},"lineItems":[{"externalId":"a","name":"x","quantity":1,"price":1}]}`, "customer.email"},
		{"trailing data", `{"externalId":"a"} {}`, "unexpected data"},
	} {
		res := h.api("POST", chPath, tt.body)
		if res.Status != 400 || !strings.Contains(string(res.Body), tt.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tt.name, res.Status, res.Body, tt.want)
		}
	}
	if n := h.api("GET", "/api/sales.json", nil).array(t); len(n) != 0 {
		t.Errorf("rejected payloads left %d sales", len(n))
	}
	big := `{"externalId":"` + strings.Repeat("x", 2<<20) + `"}`
	if res := h.api("POST", chPath, big); res.Status != 413 {
		t.Errorf("oversized: %d", res.Status)
	}
}

// stoppedClock is a clock that moves only when told to.
type stoppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stoppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stoppedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestThrottle(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0], 1)
	// The buckets leak by the clock, which stands still unless advanced:
	// however long a request takes, only the requests count.
	clock := &stoppedClock{now: time.Now()}
	h.Throttle.Now = clock.Now
	var codes []int
	for range 6 {
		res := h.api("GET", "/api/sales.json", nil)
		codes = append(codes, res.Status)
		if res.Header.Get("X-RateLimit-Limit") == "" || res.Header.Get("X-RateLimit-Remaining") == "" {
			t.Fatalf("no rate-limit headers: %v", res.Header)
		}
		if res.Status == 429 && res.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	// Capacity 4 GETs (2/s for 2 s), so the 5th and 6th are refused.
	if fmt.Sprint(codes) != "[200 200 200 200 429 429]" {
		t.Fatalf("GET statuses %v", codes)
	}
	// Writes have their own bucket (1/s, capacity 2).
	chPath := fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID)
	codes = codes[:0]
	for i := range 3 {
		codes = append(codes, h.api("POST", chPath, sale(fmt.Sprint("T", i), line("L", "v", 1))).Status)
	}
	if fmt.Sprint(codes) != "[201 201 429]" {
		t.Fatalf("POST statuses %v", codes)
	}
	// A bucket leaks: after a second, one more write.
	clock.Advance(1100 * time.Millisecond)
	if res := h.api("POST", chPath, sale("T9", line("L", "v", 1))); res.Status != 201 {
		t.Fatalf("after leak: %d", res.Status)
	}
	// Another token has its own buckets.
	_, other, _ := h.Tenants.CreateOrg(context.Background(), "other")
	if res := h.do("GET", "/api/sales.json", nil, "Authorization", "Bearer "+other); res.Status != 200 {
		t.Fatalf("other token throttled: %d", res.Status)
	}
}

func TestShipCreatesTrackings(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			h := newHarness(t, engine, 0)
			ctx := context.Background()
			res := h.api("POST", fmt.Sprintf("/api/channels/%d/manual-sale.json", h.Channel.ID),
				sale("SHIP1", line("L1", "vendor-a", 2), line("L2", "vendor-b", 1)))
			if res.Status != 201 {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			s := res.object(t)
			purchases := s["purchases"].([]any)
			pa, pb := num(purchases[0].(map[string]any)["id"]), num(purchases[1].(map[string]any)["id"])

			res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", pa),
				map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS Ground", "serviceLevel": "ground"})
			if res.Status != 201 {
				t.Fatalf("ship a: %d %s", res.Status, res.Body)
			}
			da := res.object(t)
			if da["aftershipId"] == nil || len(da["dropshipment_items"].([]any)) != 1 {
				t.Fatalf("dropshipment a: %s", res.Body)
			}
			tr, err := h.Trackings.Get(ctx, h.Org.ID, da["aftershipId"].(string))
			if err != nil || tr.Slug != "ups" || tr.Source != "onport" || tr.OrderID != "SHIP1" {
				t.Fatalf("tracking a: %+v %v", tr, err)
			}
			// Shipping again with the same number returns the same dropshipment.
			again := h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", pa),
				map[string]any{"trackingNumber": "1Z999AA10123456784", "trackingCompany": "UPS Ground"})
			if num(again.object(t)["id"]) != num(da["id"]) {
				t.Fatalf("ship retry made a new dropshipment: %s", again.Body)
			}
			// Vendor b: the courier from the spelling "Royal Mail 24"; a
			// tracking that exists already is linked, not duplicated.
			existing, err := h.Trackings.Create(ctx, h.Org.ID, trackingInput("AB123456785GB", "royal-mail"))
			if err != nil {
				t.Fatal(err)
			}
			res = h.api("POST", fmt.Sprintf("/api/purchases/%d/ship.json", pb),
				map[string]any{"trackingNumber": "AB123456785GB", "trackingCompany": "Royal Mail 24"})
			if res.Status != 201 || res.object(t)["aftershipId"] != existing.ID {
				t.Fatalf("ship b: %d %s (want tracking %s)", res.Status, res.Body, existing.ID)
			}

			// The sale is complete and reaches both trackings.
			got := h.api("GET", fmt.Sprintf("/api/sales/%d.json?include[0][model]=Dropshipment", num(s["id"])), nil).object(t)
			ds := got["dropshipments"].([]any)
			if got["status"] != waybill.SaleStatusCompleted || len(ds) != 2 {
				t.Fatalf("sale after shipping: %v", got)
			}
			ids := map[any]bool{}
			for _, d := range ds {
				ids[d.(map[string]any)["aftershipId"]] = true
			}
			if !ids[da["aftershipId"]] || !ids[existing.ID] {
				t.Fatalf("sale's dropshipments %v do not reach both trackings", ds)
			}
			// Side-loading from the dropshipment: purchase, items, sale, vendor.
			d := h.api("GET", fmt.Sprintf("/api/dropshipments/%d.json?include[0][model]=Purchase&include[1][model]=DropshipmentItem&include[2][model]=Sale&include[3][model]=DropshipProvider", num(da["id"])), nil).object(t)
			if d["purchase"] == nil || d["sale"] == nil || d["dropship_provider"].(map[string]any)["externalId"] != "vendor-a" || len(d["dropshipment_items"].([]any)) != 1 {
				t.Fatalf("dropshipment includes: %v", d)
			}

			// Acknowledge: one dropshipment.acknowledged event, however often.
			for range 2 {
				if res := h.api("PUT", fmt.Sprintf("/api/dropshipments/%d/acknowledge.json", num(da["id"])), nil); res.Status != 200 {
					t.Fatalf("acknowledge: %d %s", res.Status, res.Body)
				}
			}
			events, err := h.Webhooks.Events(ctx, h.Org.ID, time.Time{}, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, e := range events {
				count[e.Type]++
			}
			if count[waybill.EventSaleDropship] != 1 || count[waybill.EventFulfillment] != 2 || count[waybill.EventDropshipmentAcknowledged] != 1 {
				t.Fatalf("events %v", count)
			}
		})
	}
}
