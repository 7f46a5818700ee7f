package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/testdb"
)

// delivered creates a delivered tracking of an order through the APIs.
func (s *stack) delivered(number, order string) string {
	s.t.Helper()
	status, body := s.call("POST", "/tracking/2026-07/trackings", map[string]any{"slug": "dhl", "tracking_number": number,
		"order_number": order, "customers": []map[string]any{{"email": "ann@example.com"}}})
	if status != 201 {
		s.t.Fatalf("create tracking: %d %v", status, body)
	}
	if status, body := s.call("POST", "/v1/checkpoints", map[string]any{"slug": "dhl", "tracking_number": number,
		"checkpoints": []map[string]any{{"checkpoint_time": "2026-11-20T10:00:00Z", "message": "Delivered", "tag": "Delivered"}}}); status >= 300 {
		s.t.Fatalf("push: %d %v", status, body)
	}
	return body["data"].(map[string]any)["id"].(string)
}

func (s *stack) shopperReturn(order, trackingID string) waybill.Return {
	s.t.Helper()
	r, err := s.Returns.Submit(context.Background(), returns.OrderRef{OrgID: s.Org.ID, OrderNumber: order}, "ann@example.com",
		returns.SubmitInput{Lines: []returns.LineInput{{ID: trackingID, Quantity: 1, Reason: "too_small", Resolution: waybill.ResolutionRefund}}})
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func errorOf(t *testing.T, body map[string]any) (code, reason string) {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %v", body)
	}
	return e["code"].(string), e["reason"].(string)
}

func TestReturnsAPI(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			status, body := s.call("GET", "/v1/returns/settings", nil)
			set, _ := body["settings"].(map[string]any)
			if status != 200 || set["window_days"] != float64(30) || set["enabled"] != true || len(set["reasons"].([]any)) == 0 {
				t.Fatalf("default settings: %d %v", status, body)
			}
			status, body = s.call("PATCH", "/v1/returns/settings", map[string]any{"window_days": -3})
			if code, _ := errorOf(t, body); status != 400 || code != "invalid" {
				t.Fatalf("bad window: %d %v", status, body)
			}
			status, body = s.call("PATCH", "/v1/returns/settings", map[string]any{"window_days": "thirty"})
			if code, reason := errorOf(t, body); status != 400 || code != "invalid" || reason != "field_invalid" {
				t.Fatalf("window of the wrong type: %d %v", status, body)
			}
			status, body = s.call("PATCH", "/v1/returns/settings", map[string]any{"window_days": 60, "return_address": "Acme Returns\n1 Dock Road\nLeeds LS1 1AA",
				"reasons": []map[string]any{{"code": "too_small", "label": "Too small", "translations": map[string]string{"de": "Zu klein"}}}})
			set, _ = body["settings"].(map[string]any)
			if status != 200 || set["window_days"] != float64(60) || len(set["reasons"].([]any)) != 1 || set["updated_at"] == nil {
				t.Fatalf("patch: %d %v", status, body)
			}

			tid := s.delivered("RAPI000001", "#5001")
			r := s.shopperReturn("#5001", tid)
			status, body = s.call("GET", "/v1/returns?status=submitted&order_number=%235001", nil)
			if list, _ := body["returns"].([]any); status != 200 || len(list) != 1 || list[0].(map[string]any)["rma"] != r.RMA {
				t.Fatalf("list: %d %v", status, body)
			}
			status, body = s.call("GET", "/v1/returns?status=approved", nil)
			if list, _ := body["returns"].([]any); status != 200 || len(list) != 0 {
				t.Fatalf("list approved: %d %v", status, body)
			}
			for _, bad := range []string{"?status=lost", "?since=yesterday", "?limit=0", "?order_number=%00"} {
				if status, body := s.call("GET", "/v1/returns"+bad, nil); status != 400 {
					t.Errorf("GET /v1/returns%s: %d %v", bad, status, body)
				}
			}
			if status, body := s.call("GET", "/v1/returns/nope", nil); status != 404 {
				t.Errorf("unknown return: %d %v", status, body)
			}

			// receive and resolve are refused while submitted: 409, nothing changes.
			for _, action := range []string{"receive", "resolve"} {
				status, body := s.call("POST", "/v1/returns/"+r.ID+"/"+action, nil)
				if code, reason := errorOf(t, body); status != 409 || code != "conflict" || reason != "return_status" {
					t.Fatalf("%s while submitted: %d %v", action, status, body)
				}
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/approve", map[string]any{"label_url": "http://insecure.example.com/l.pdf"})
			if status != 400 {
				t.Fatalf("approve with an http label: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/approve", map[string]any{
				"label_url": "https://labels.example.com/1.pdf", "tracking_number": "RETAPI0001", "slug": "dhl"})
			ret, _ := body["return"].(map[string]any)
			if status != 200 || ret["status"] != "approved" || ret["return_tracking_number"] != "RETAPI0001" || ret["expires_at"] == nil {
				t.Fatalf("approve: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/reject", map[string]any{"reason": "late"})
			if code, _ := errorOf(t, body); status != 409 || code != "conflict" {
				t.Fatalf("reject after approval: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/receive", map[string]any{"lines": []map[string]any{{"id": tid, "quantity": 2}}})
			if status != 400 {
				t.Fatalf("receive more than returned: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/receive", map[string]any{"lines": []map[string]any{{"id": tid, "quantity": 1}}})
			ret, _ = body["return"].(map[string]any)
			if status != 200 || ret["status"] != "received" || ret["lines"].([]any)[0].(map[string]any)["received"] != float64(1) {
				t.Fatalf("receive: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/resolve", map[string]any{"note": "Refunded"})
			if ret, _ = body["return"].(map[string]any); status != 200 || ret["status"] != "resolved" || ret["resolved_at"] == nil {
				t.Fatalf("resolve: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/resolve", nil)
			if status != 409 {
				t.Fatalf("resolve twice: %d %v", status, body)
			}
			status, body = s.call("POST", "/v1/returns/"+r.ID+"/approve", "{not json")
			if code, reason := errorOf(t, body); status != 400 || code != "invalid" || reason != "invalid_json" {
				t.Fatalf("bad JSON: %d %v", status, body)
			}

			// Each change's webhook payload is the admin document's.
			events, err := s.Webhooks.Events(context.Background(), s.Org.ID, time.Time{}, time.Time{}, 1000)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, e := range events {
				if e.Return == nil {
					continue
				}
				payload, err := admin.ReturnPayload(e)
				if err != nil {
					t.Fatal(err)
				}
				if err := openapitest.CheckWebhook("admin", e.Type, payload); err != nil {
					t.Error(err)
				}
				seen[e.Type] = true
			}
			if len(seen) < 4 {
				t.Errorf("return events %v, want submitted, approved, received and resolved at least", seen)
			}
		})
	}
}

// FuzzReturnsAPI sends arbitrary bodies to every /v1/returns action and
// to the settings, and arbitrary list queries, on both engines: never a
// 5xx, and the return stays whole: its status is the one its latest
// return.* event carries.
func FuzzReturnsAPI(f *testing.F) {
	for _, seed := range []string{`{}`, ``, `{"reason":"worn"}`, `{"reason":"\u0000"}`, "{\"reason\":\"\xff\"}",
		`{"tracking_number":"RET0001","slug":"dhl","label_url":"https://l.example.com/1.pdf"}`, `{"tracking_number":"\u0000"}`,
		`{"lines":[{"id":"x","quantity":1}]}`, `{"lines":[{"id":"","quantity":-5}]}`, `{"note":"` + strings.Repeat("n", 3000) + `"}`,
		`{"window_days":99999999999999999999}`, `{"reasons":[{"code":"a","label":"A","translations":{"de":"\u0000"}}]}`,
		`{"resolutions":["refund","cash"]}`, `{"non_returnable":[null]}`, `[1,2]`, `{"return_address":` + `"` + strings.Repeat("a", 2000) + `"}`} {
		for action := range uint8(6) {
			f.Add(action, seed, "status=submitted&since=2026-01-01T00:00:00Z")
		}
	}
	f.Add(uint8(0), `{}`, "status=%00&order_number=%ff&limit=99999999999999999999")
	type target struct {
		s  *stack
		id string
	}
	var targets []target
	for _, engine := range testdb.Engines() {
		s := newStack(f, engine)
		tid := s.delivered("FUZZ000001", "#F1")
		targets = append(targets, target{s, s.shopperReturn("#F1", tid).ID})
	}
	actions := []string{"approve", "reject", "receive", "resolve", "settings", "list"}
	f.Fuzz(func(t *testing.T, action uint8, body, query string) {
		for _, tg := range targets {
			method, path := "POST", "/v1/returns/"+tg.id+"/"+actions[int(action)%len(actions)]
			switch actions[int(action)%len(actions)] {
			case "settings":
				method, path = "PATCH", "/v1/returns/settings"
			case "list":
				method, path = "GET", "/v1/returns?"+query
			}
			req, err := http.NewRequest(method, tg.s.URL+path, strings.NewReader(body))
			if err != nil {
				continue // a query no client could send
			}
			req.Header.Set("as-api-key", tg.s.Key)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := tg.s.OpenAPI.Client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("%s %s %q: %d", method, path, body, res.StatusCode)
			}
			ctx := context.Background()
			r, err := tg.s.Returns.Get(ctx, tg.s.Org.ID, tg.id)
			if err != nil {
				t.Fatal(err)
			}
			events, err := tg.s.Webhooks.Events(ctx, tg.s.Org.ID, time.Time{}, time.Time{}, 10000)
			if err != nil {
				t.Fatal(err)
			}
			var last *waybill.Return
			for _, e := range events {
				if e.Return != nil && e.Return.ID == tg.id {
					last = e.Return
				}
			}
			if last == nil || last.Status != r.Status || last.ReturnTrackingID != r.ReturnTrackingID {
				t.Fatalf("return %s (parcel %q) but its latest event says %+v", r.Status, r.ReturnTrackingID, last)
			}
		}
	})
}
