package admin_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestChannels walks /v1/channels: create, list, get, update, and the
// refusals (bad body, unknown or malformed id).
func TestChannels(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			status, ch := s.call("POST", "/v1/channels", map[string]any{"name": " Shop "})
			if status != 201 || ch["name"] != "Shop" || ch["id"] == nil {
				t.Fatalf("create: %d %v", status, ch)
			}
			id := fmt.Sprint(ch["id"])
			if status, got := s.call("GET", "/v1/channels/"+id, nil); status != 200 || got["name"] != "Shop" {
				t.Errorf("get: %d %v", status, got)
			}
			if status, got := s.call("PATCH", "/v1/channels/"+id, map[string]any{"name": "Renamed"}); status != 200 || got["name"] != "Renamed" {
				t.Errorf("patch: %d %v", status, got)
			}
			status, list := s.call("GET", "/v1/channels", nil)
			if chs, _ := list["channels"].([]any); status != 200 || len(chs) != 1 || chs[0].(map[string]any)["name"] != "Renamed" {
				t.Errorf("list: %d %v", status, list)
			}
			for _, tt := range []struct {
				method, path string
				body         any
				status       int
			}{
				{"POST", "/v1/channels", map[string]any{}, 400},
				{"POST", "/v1/channels", `{"name": `, 400},
				{"POST", "/v1/channels", map[string]any{"name": ""}, 400},
				{"PATCH", "/v1/channels/" + id, map[string]any{"name": 7}, 400},
				{"GET", "/v1/channels/999999", nil, 404},
				{"GET", "/v1/channels/abc", nil, 404},
				{"PATCH", "/v1/channels/999999", map[string]any{"name": "X"}, 404},
			} {
				if status, body := s.call(tt.method, tt.path, tt.body); status != tt.status || body["error"] == nil {
					t.Errorf("%s %s %v: %d %v, want %d with an error", tt.method, tt.path, tt.body, status, body, tt.status)
				}
			}
		})
	}
}

// TestChannelFulfillmentURLRefusesPrivateTargets checks that a channel's
// fulfillment URL passes the same SSRF guard as a webhook endpoint, and
// that a refused URL creates no channel.
func TestChannelFulfillmentURLRefusesPrivateTargets(t *testing.T) {
	s := newStack(t, testdb.Engines()[0])
	s.Webhooks.AllowPrivate = false
	if status, _ := s.call("POST", "/v1/channels", map[string]any{"name": "Custom"}); status != 201 {
		t.Fatalf("create: %d", status)
	}
	for _, url := range []string{"http://127.0.0.1:9/x", "http://10.0.0.8/x", "ftp://example.com/x", "not a url"} {
		status, body := s.call("POST", "/v1/channels", map[string]any{"name": "Bad", "fulfillment_url": url})
		if status < 400 || status >= 500 {
			t.Errorf("fulfillment_url %q: %d %v, want a 4xx", url, status, body)
		}
	}
	_, list := s.call("GET", "/v1/channels", nil)
	if chs, _ := list["channels"].([]any); len(chs) != 1 {
		t.Errorf("%d channels after refused creates, want only the first one", len(chs))
	}
}

// TestAPILogs lists stored inbound messages through /v1/api-logs, with its
// filters, and refuses malformed filters with 400.
func TestAPILogs(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			_, ch := s.call("POST", "/v1/channels", map[string]any{"name": "Shop"})
			chID := int64(ch["id"].(float64))
			base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
			for i, ext := range []string{"S1", "S2", "S3"} {
				msg := &waybill.InboundMessage{OrgID: s.Org.ID, ChannelID: chID, Kind: waybill.InboundManualSale,
					Body: []byte(`{}`), ExternalID: ext, ReceivedAt: base.Add(time.Duration(i) * time.Hour)}
				if err := s.Inbound.Submit(context.Background(), msg); err != nil {
					t.Fatal(err)
				}
			}
			logs := func(query string) []any {
				t.Helper()
				status, body := s.call("GET", "/v1/api-logs?"+query, nil)
				if status != 200 {
					t.Fatalf("api-logs?%s: %d %v", query, status, body)
				}
				return body["logs"].([]any)
			}
			if got := logs(""); len(got) != 3 || got[0].(map[string]any)["external_id"] != "S3" {
				t.Errorf("all logs, newest first: %v", got)
			}
			if got := logs("externalId=S2"); len(got) != 1 || got[0].(map[string]any)["external_id"] != "S2" {
				t.Errorf("externalId=S2: %v", got)
			}
			if got := logs("since=2026-11-20T10:30:00Z&limit=1"); len(got) != 1 || got[0].(map[string]any)["external_id"] != "S3" {
				t.Errorf("since, limit=1: %v", got)
			}
			if got := logs(fmt.Sprintf("channel=%d&status=pending", chID+1)); len(got) != 0 {
				t.Errorf("another channel: %v", got)
			}
			for _, q := range []string{"channel=x", "since=yesterday", "limit=1001", "offset=-1", "status=lost", "externalId=S%00", "kind=%ff"} {
				if status, body := s.call("GET", "/v1/api-logs?"+q, nil); status != 400 || body["error"] == nil {
					t.Errorf("api-logs?%s: %d %v, want 400 with an error", q, status, body)
				}
			}
		})
	}
}
