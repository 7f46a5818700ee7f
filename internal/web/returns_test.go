package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/web"
	"github.com/waybillhq/waybill/internal/webhook"
)

// returnsSite is the web face with its return pages over a real
// database, with two organizations: acme, whose delivered order #R1 has
// one shipment, and globex.
type returnsSite struct {
	st    *store.Store
	acme  waybill.Organization
	token string // the page token of #R1's shipment
	URL   string
}

func newReturnsSite(t testing.TB, engine string) *returnsSite {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, engine)
	now := time.Now().UTC()
	acme, err := st.Write().CreateOrg(ctx, "acme", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write().CreateOrg(ctx, "globex", now); err != nil {
		t.Fatal(err)
	}
	tr := waybill.Tracking{OrgID: acme.ID, Slug: "ups", TrackingNumber: "1Z999AA10123456784", Tag: waybill.TagDelivered,
		Subtag: "Delivered_001", OrderNumber: "#R1", Emails: []string{"ann@example.com"}, CreatedAt: now.Add(-72 * time.Hour),
		UpdatedAt:   now.Add(-24 * time.Hour),
		Checkpoints: []waybill.Checkpoint{{CheckpointTime: now.Add(-24 * time.Hour).Format(time.RFC3339), Message: "Delivered", Tag: waybill.TagDelivered, Subtag: "Delivered_001"}}}
	if err := st.Write().InsertTracking(ctx, &tr); err != nil {
		t.Fatal(err)
	}
	// No endpoints: events are stored, no delivery is queued.
	svc := &returns.Service{Store: st, Events: &webhook.Service{Store: st}}
	mux := http.NewServeMux()
	(&web.Web{Pages: &portal.Service{Store: st}, Returns: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &returnsSite{st: st, acme: acme, token: tr.PageToken, URL: srv.URL}
}

func (s *returnsSite) post(t testing.TB, path string, form url.Values) (int, string) {
	t.Helper()
	res, err := http.Post(s.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *returnsSite) returns(t testing.TB) []waybill.Return {
	t.Helper()
	rs, err := s.st.Read().Returns(context.Background(), s.acme.ID, waybill.ReturnFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// lineForm is a complete items form for #R1's one line.
func (s *returnsSite) lineForm(verify string) url.Values {
	return url.Values{"order_number": {"#R1"}, "verify": {verify}, "id_0": {s.trackingID()}, "qty_0": {"1"},
		"reason_0": {"too_small"}, "resolution_0": {"refund"}}
}

func (s *returnsSite) trackingID() string {
	t, err := s.st.Read().TrackingPage(context.Background(), s.token, false)
	if err != nil || len(t.Trackings) == 0 {
		return ""
	}
	return t.Trackings[0].ID
}

func TestReturnPages(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newReturnsSite(t, engine)
			// Another organization's portal knows nothing of acme's order.
			for _, path := range []string{"/track/globex/returns", "/track/globex/returns/new"} {
				status, body := s.post(t, path, s.lineForm("ann@example.com"))
				if status != 404 || strings.Contains(body, "1Z999AA10123456784") || !strings.Contains(body, "could not find an order") {
					t.Errorf("%s: %d\n%s", path, status, body)
				}
			}
			if n := len(s.returns(t)); n != 0 {
				t.Fatalf("another organization's portal stored %d returns", n)
			}
			// A wrong proof is the same message as a wrong order.
			if status, _ := s.post(t, "/track/acme/returns", url.Values{"order_number": {"#R1"}, "verify": {"bob@example.com"}}); status != 404 {
				t.Errorf("wrong proof: %d", status)
			}
			status, body := s.post(t, "/track/acme/returns", url.Values{"order_number": {"#R1"}, "verify": {"ann@example.com"}})
			if status != 200 || !strings.Contains(body, `name="qty_0"`) || !strings.Contains(body, "Shipment 1Z999AA10123456784") {
				t.Fatalf("items form: %d\n%s", status, body)
			}
			// No reason: the form again, nothing stored.
			form := s.lineForm("ann@example.com")
			form.Del("reason_0")
			if status, _ := s.post(t, "/track/acme/returns/new", form); status != 422 || len(s.returns(t)) != 0 {
				t.Fatalf("no reason: %d, %d returns", status, len(s.returns(t)))
			}
			status, body = s.post(t, "/track/acme/returns/new", s.lineForm("ann@example.com"))
			rs := s.returns(t)
			if status != 200 || len(rs) != 1 || !strings.Contains(body, rs[0].RMA) {
				t.Fatalf("submit: %d, %d returns\n%s", status, len(rs), body)
			}
			// The whole shipment is in that return: nothing left to return.
			status, _ = s.post(t, "/t/"+s.token+"/return", url.Values{"verify": {"NW1 6XE"}})
			if status != 404 {
				t.Errorf("a postal code the order does not have: %d", status)
			}
			status, body = s.post(t, "/t/"+s.token+"/return", url.Values{"verify": {"ann@example.com"}})
			if status != 200 || !strings.Contains(body, "Nothing in this order can be returned any more") {
				t.Errorf("from the shipment's page: %d\n%s", status, body)
			}
			res, err := http.Get(s.URL + "/r/" + rs[0].PageToken)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(page), "Submitted") || strings.Contains(string(page), "ann@example.com") {
				t.Errorf("return page: %d\n%s", res.StatusCode, page)
			}
			if res, _ := http.Get(s.URL + "/r/notatoken00000000000000"); res.StatusCode != 404 {
				t.Errorf("unknown return page: %d", res.StatusCode)
			}
		})
	}
}

// FuzzReturnForms posts arbitrary values in every field of the return
// forms, on both engines: never a 5xx, and never a half-written return
// (every stored return has its claims and its return.submitted event).
func FuzzReturnForms(f *testing.F) {
	f.Add("#R1", "ann@example.com", "", "1", "too_small", "", "refund")
	f.Add("#R1", "ann@example.com", "", "1", "damaged", "crushed\x00box", "refund")
	f.Add("#R1\x00", "ann@example.com", "", "1", "too_small", "", "refund")
	f.Add("#R1", "ann@example.com\xff", "", "1", "too_small", "", "refund")
	f.Add("#R1", "ann@example.com", "\xff\xfe", "-1", "too_small", "", "cash")
	f.Add("#R1", "ann@example.com", "", "99999999999999999999", "too_small", strings.Repeat("é", 5000), "exchange")
	f.Add(strings.Repeat("9", 300), strings.Repeat("@", 300), strings.Repeat("x", 100), "2", "other", "why", "store_credit")
	var sites []*returnsSite
	for _, engine := range testdb.Engines() {
		sites = append(sites, newReturnsSite(f, engine))
	}
	f.Fuzz(func(t *testing.T, order, verify, id, qty, reason, comment, resolution string) {
		for _, s := range sites {
			if id == "" {
				id = s.trackingID()
			}
			form := url.Values{"order_number": {order}, "verify": {verify}, "id_0": {id}, "qty_0": {qty}, "reason_0": {reason},
				"comment_0": {comment}, "resolution_0": {resolution}}
			for _, path := range []string{"/track/acme/returns", "/track/acme/returns/new", "/t/" + s.token + "/return/new", "/returns/new"} {
				if status, body := s.post(t, path, form); status >= 500 {
					t.Fatalf("%s: %d\n%s", path, status, body)
				}
			}
			// Every return is whole: its quantities are claimed and its
			// submission is an event.
			ctx := context.Background()
			rs := s.returns(t)
			claimed, err := s.st.Read().ClaimedReturnQuantities(ctx, s.acme.ID, "number:#R1")
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, r := range rs {
				if r.Status.Holds() {
					total += r.TotalQuantity()
				}
			}
			sum := 0
			for _, n := range claimed {
				sum += n
			}
			events, _, err := s.st.Read().Events(ctx, s.acme.ID, time.Time{}, time.Time{}, 10000)
			if err != nil {
				t.Fatal(err)
			}
			if sum != total || len(events) != len(rs) {
				t.Fatalf("%d returns holding %d items, %d claimed, %d events", len(rs), total, sum, len(events))
			}
		}
	})
}
