package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// rawCall sends a request with the given key ("" sends none) and returns
// the status, the headers and the body as sent.
func (s *stack) rawCall(key, method, path, body string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("as-api-key", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, data
}

// TestOneErrorShapeAcrossV1 walks 404, 409, 400 and 401 across
// /v1/webhooks, /v1/events, /v1/channels and /v1/api-logs and checks
// that every refusal has the one /v1 envelope, {"error": {"code",
// "reason", "message"}}, with the status its code maps to.
func TestOneErrorShapeAcrossV1(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			for range 10 {
				if status, body := s.call("POST", "/v1/webhooks", map[string]any{"url": "https://example.com/hook"}); status != 201 {
					t.Fatalf("create endpoint: %d %v", status, body)
				}
			}
			codes := map[int]string{400: "invalid", 401: "unauthorized", 404: "not_found", 409: "conflict"}
			type call struct{ method, path, body string }
			cases := map[int][]call{
				404: {
					{"GET", "/v1/webhooks/nope", ""},
					{"PATCH", "/v1/webhooks/nope", `{"enabled": false}`},
					{"DELETE", "/v1/webhooks/nope", ""},
					{"POST", "/v1/events/nope/replay", ""},
					{"GET", "/v1/channels/999999", ""},
					{"PATCH", "/v1/channels/abc", `{"name": "X"}`},
					{"GET", "/v1/api-logs/1", ""},
					{"DELETE", "/v1/channels", ""},
				},
				409: {
					{"POST", "/v1/webhooks", `{"url": "https://example.com/eleventh"}`},
				},
				400: {
					{"POST", "/v1/webhooks", `{"url": `},
					{"POST", "/v1/webhooks", `{"url": "ftp://example.com"}`},
					{"GET", "/v1/events?limit=0", ""},
					{"GET", "/v1/events?since=yesterday", ""},
					{"POST", "/v1/channels", `{}`},
					{"POST", "/v1/channels", `{"name": 7}`},
					{"GET", "/v1/api-logs?status=lost", ""},
					{"GET", "/v1/api-logs?external_id=%00", ""},
					{"POST", "/v1/channels", `{"name": "Shop\u0000"}`},
					{"POST", "/v1/channels", "{\"name\": \"\xff\"}"},
					{"POST", "/v1/channels", `{"name": "Shop", "fulfillment_url": "https://example.com/\u0000"}`},
					{"POST", "/v1/webhooks", `{"url": "https://example.com/\u0000"}`},
				},
			}
			cases[401] = []call{
				{"GET", "/v1/webhooks", ""}, {"POST", "/v1/webhooks", `{}`}, {"GET", "/v1/events", ""},
				{"GET", "/v1/channels", ""}, {"POST", "/v1/channels", `{"name": "X"}`}, {"GET", "/v1/api-logs", ""},
			}
			for _, status := range []int{404, 409, 400, 401} {
				for _, c := range cases[status] {
					keys := []string{s.Key}
					if status == 401 {
						keys = []string{"", "wb_wrong_key"}
					}
					for _, key := range keys {
						got, hdr, body := s.rawCall(key, c.method, c.path, c.body)
						checkErrorShape(t, c.method+" "+c.path, got, hdr, body, status, codes[status])
					}
				}
			}
		})
	}
}

// checkErrorShape asserts that an answer is the /v1 error envelope with
// exactly the fields code, reason and message, all strings.
func checkErrorShape(t *testing.T, what string, status int, hdr http.Header, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d (%s)", what, status, wantStatus, body)
		return
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var env map[string]map[string]any
	if err := json.Unmarshal(body, &env); err != nil || len(env) != 1 || env["error"] == nil {
		t.Errorf("%s: not the /v1 envelope: %s", what, body)
		return
	}
	e := env["error"]
	var fields []string
	for k, v := range e {
		if _, ok := v.(string); !ok {
			t.Errorf("%s: error.%s is %T, want a string", what, k, v)
		}
		fields = append(fields, k)
	}
	slices.Sort(fields)
	if !slices.Equal(fields, []string{"code", "message", "reason"}) {
		t.Errorf("%s: error fields %v, want code, message, reason", what, fields)
	}
	if e["code"] != wantCode || e["message"] == "" {
		t.Errorf("%s: code %v message %q, want code %s and a message", what, e["code"], e["message"], wantCode)
	}
}
