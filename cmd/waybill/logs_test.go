package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestServeLogs: before, a session's log was mostly the queue library's
// chatter (on PostgreSQL, "does not support listener" at every start) and
// no request appeared. The log is now JSON when configured, has one line
// per request with its organization and id, and none of River's info
// lines.
func TestServeLogs(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			p := startServe(t, testdb.URL(t, engine), "WAYBILL_LOG_FORMAT=json")
			req, _ := http.NewRequest("POST", p.URL+"/v4/trackings",
				strings.NewReader(`{"tracking":{"slug":"dhl","tracking_number":"1234567890"}}`))
			req.Header.Set("aftership-api-key", "wb_test_bootstrap_key_0001")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Request-Id", "edge-42")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 201 || res.Header.Get("X-Request-Id") != "edge-42" {
				t.Fatalf("create: %d, X-Request-Id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
			}
			stop(t, p)

			var requests []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(p.stderr.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("not a JSON line: %q", line)
				}
				if m["component"] == "queue" && (m["level"] == "INFO" || m["level"] == "DEBUG") {
					t.Errorf("queue chatter: %s", line)
				}
				if strings.Contains(line, "does not support listener") {
					t.Errorf("listener notice: %s", line)
				}
				if m["msg"] == "request" && m["route"] != "GET /readyz" {
					requests = append(requests, m)
				}
			}
			if len(requests) != 1 {
				t.Fatalf("%d request lines, want 1:\n%s", len(requests), p.stderr)
			}
			r := requests[0]
			if r["method"] != "POST" || r["route"] != "POST /v4/trackings" || r["status"] != 201.0 || r["org"] == nil ||
				r["request_id"] != "edge-42" || r["duration_ms"] == nil {
				t.Errorf("request line: %v", r)
			}
		})
	}
}
