package onportlink_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/onportlink"
	"github.com/waybillhq/waybill/internal/testdb"
)

// waitFor polls cond until it holds or a minute passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestWebhooksMakeTheOrderAndItsTrackings follows Onport's guide: the
// dropshipment webhooks arrive (one as the fulfillment bundle, before the
// sale's own webhook), each job GETs its resource with the guide's
// includes, and the organization ends with one order, its customer, and one
// tracking per dropshipment with the customer as recipient. A repeat
// changes nothing; a new tracking number moves the same dropshipment to the
// new parcel without a second tracking; the page URL is written back.
func TestWebhooksMakeTheOrderAndItsTrackings(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			fake := newFakeOnport("tok")
			onport := httptest.NewServer(fake)
			defer onport.Close()
			h := newHarness(t, engine, testBox(t), true)
			c, err := h.svc.CreateConnection(ctx, h.org.ID, onportlink.ConnectionInput{APIURL: ptr(onport.URL), Token: ptr("tok"),
				WriteTrackingURL: ptr(true)})
			if err != nil {
				t.Fatal(err)
			}
			for _, hook := range []struct{ kind, body string }{
				{"fulfillments", `{"instance": {"id": 11}, "fulfillmentItems": [], "sale": {"id": 1}}`},
				{"sales", `{"id": 1}`},
				{"dropshipments", `{"id": 12}`},
				{"dropshipments", `{"id": 12}`},
			} {
				if _, err := h.svc.Receive(ctx, c.HookToken, hook.kind, []byte(hook.body)); err != nil {
					t.Fatal(err)
				}
			}
			trackings := func() []waybill.Tracking {
				page, err := h.track.List(ctx, h.org.ID, waybill.TrackingFilter{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				return page.Trackings
			}
			waitFor(t, "two trackings", func() bool { return len(trackings()) == 2 })
			sales, err := h.com.ListSales(ctx, h.org.ID, commerce.SaleFilter{}, commerce.Page{})
			if err != nil || len(sales) != 1 {
				t.Fatalf("%d sales, %v", len(sales), err)
			}
			sale := sales[0]
			if sale.ExternalID != "1" || sale.Reference != "10001" || sale.Shipping.City != "Beverly Hills" || sale.Shipping.Phone != "+13105550100" ||
				sale.Shipping.FullName() != "Ada Lovelace" || sale.ChannelID != c.ChannelID {
				t.Errorf("order %+v", sale)
			}
			items, _ := h.com.ListSaleItems(ctx, h.org.ID, commerce.SaleItemFilter{SaleIDs: []int64{sale.ID}}, commerce.Page{})
			purchases, _ := h.com.ListPurchases(ctx, h.org.ID, commerce.PurchaseFilter{SaleIDs: []int64{sale.ID}}, commerce.Page{})
			if len(items) != 2 || len(purchases) != 2 {
				t.Errorf("%d lines, %d purchases; want 2 and 2", len(items), len(purchases))
			}
			for _, tr := range trackings() {
				if !slices.Contains(tr.Emails, "ada@example.com") || !slices.Contains(tr.Smses, "+13105550100") || tr.OrderID != "1" ||
					tr.CustomerName != "Ada Lovelace" || tr.Source != "onport" {
					t.Errorf("tracking %s: emails %v smses %v order %q name %q source %q", tr.TrackingNumber, tr.Emails, tr.Smses, tr.OrderID, tr.CustomerName, tr.Source)
				}
			}
			slugs := map[string]string{}
			for _, tr := range trackings() {
				slugs[tr.TrackingNumber] = tr.Slug
			}
			if slugs["SBXDELIVERED0001"] != "sandbox" || slugs["1Z999AA10123456784"] != "ups" {
				t.Errorf("couriers %v", slugs)
			}

			// The guide's includes, exactly, and the page written back.
			waitFor(t, "two trackingUrl writes", func() bool { _, w := fake.requests(); return len(w) >= 2 })
			gets, writes := fake.requests()
			for _, g := range gets {
				switch {
				case strings.HasPrefix(g.path, "/api/sales/") && g.query != "include[0][model]=Customer&include[1][model]=SaleItem",
					strings.HasPrefix(g.path, "/api/dropshipments/") && g.query != "include[0][model]=Purchase&include[1][model]=DropshipmentItem":
					t.Errorf("GET %s?%s", g.path, g.query)
				}
			}
			for _, w := range writes {
				if w.method != "PUT" || !strings.HasPrefix(w.body, `{"trackingUrl":"https://track.example/t/`) {
					t.Errorf("write %s %s %s", w.method, w.path, w.body)
				}
			}

			// Acknowledged again with a new number: the same dropshipment,
			// still two trackings, the new number tracked.
			fake.mu.Lock()
			fake.numbers["12"] = "1Z999AA10123456795"
			fake.mu.Unlock()
			if _, err := h.svc.Receive(ctx, c.HookToken, "dropshipments", []byte(`{"id": 12, "trackingNumber": "1Z999AA10123456795"}`)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the new number", func() bool {
				for _, tr := range trackings() {
					if tr.TrackingNumber == "1Z999AA10123456795" {
						return true
					}
				}
				return false
			})
			if n := len(trackings()); n != 2 {
				t.Errorf("%d trackings after the number changed, want 2", n)
			}
			ds, _ := h.com.ListDropshipments(ctx, h.org.ID, commerce.DropshipmentFilter{}, commerce.Page{})
			if len(ds) != 2 {
				t.Errorf("%d dropshipments, want 2", len(ds))
			}
		})
	}
}
