package openapitest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/openapi/openapitest"
)

const couriersOK = `{"meta":{"code":200,"message":"","type":"OK"},"data":{"total":1,"couriers":[{"slug":"ups","name":"UPS","phone":null,"other_name":null,"web_url":null,"required_fields":[],"optional_fields":[],"default_language":"en","support_languages":[],"service_from_country_iso3":["USA"]}]}}`

const badRequest = `{"meta":{"code":4001,"message":"Invalid JSON data.","type":"BadRequest"},"data":{}}`

func rateHeaders() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-RateLimit-Limit", "10")
	h.Set("X-RateLimit-Remaining", "9")
	h.Set("X-RateLimit-Reset", "1700000000")
	return h
}

// TestCheck runs the rules of the package documentation on the real v4
// document: each case is an exchange and whether it must be reported.
func TestCheck(t *testing.T) {
	v := openapitest.New(t, "v4")
	for _, tt := range []struct {
		name, method, path, key, reqBody string
		status                           int
		resBody                          string
		wantErr                          string // "" when the exchange is right
	}{
		{"documented and matching", "GET", "/v4/couriers", "k", "", 200, couriersOK, ""},
		{"a required field missing", "GET", "/v4/couriers", "k", "", 200, strings.Replace(couriersOK, `"name":"UPS",`, "", 1), "name"},
		{"a field of the wrong type", "GET", "/v4/couriers", "k", "", 200, strings.Replace(couriersOK, `"total":1`, `"total":"1"`, 1), "total"},
		{"a field the document lacks", "GET", "/v4/couriers", "k", "", 200, strings.Replace(couriersOK, `"slug":"ups",`, `"slug":"ups","extra":1,`, 1), "extra"},
		{"a status the operation does not list", "GET", "/v4/couriers", "k", "", 418, badRequest, "418"},
		{"an undocumented route served", "GET", "/v4/nothing", "k", "", 200, couriersOK, "no document"},
		{"an undocumented route refused", "GET", "/v4/nothing", "k", "", 404, "404 page not found", ""},
		{"outside the documents' prefix", "GET", "/healthz", "", "", 200, `{"status":"ok"}`, ""},
		{"a malformed request refused", "POST", "/v4/couriers/detect", "k", `{"tracking":`, 400, badRequest, ""},
		{"a malformed request accepted", "POST", "/v4/couriers/detect", "k", `{"tracking":`, 200, `{"meta":{"code":200,"message":"","type":"OK"},"data":{"total":0,"couriers":[]}}`, "rejects the request but the server answered 200"},
		{"a malformed request refused with a wrong envelope", "POST", "/v4/couriers/detect", "k", `{"tracking":`, 400, `{"error":"bad"}`, "response does not match"},
		{"a tracking numbered like an action", "GET", "/v4/trackings/ups/retrack", "k", "", 404, `{"meta":{"code":4004,"message":"Tracking does not exist.","type":"NotFound"},"data":{}}`, ""},
		{"an action with a method it lacks", "GET", "/v4/couriers/detect", "k", "", 200, couriersOK, "no document"},
		{"no key refused", "GET", "/v4/couriers", "", "", 401, `{"meta":{"code":401,"message":"Invalid API key.","type":"Unauthorized"},"data":{}}`, ""},
		{"no key accepted", "GET", "/v4/couriers", "", "", 200, couriersOK, "rejects the request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.reqBody))
			req.Header.Set("Content-Type", "application/json")
			if tt.key != "" {
				req.Header.Set("aftership-api-key", tt.key)
			}
			err := v.Check(openapitest.Exchange{Request: req, RequestBody: []byte(tt.reqBody), Status: tt.status, Header: rateHeaders(), ResponseBody: []byte(tt.resBody)})
			if err != nil {
				t.Logf("Check: %v", err)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Check = nil, want an error mentioning %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Check = %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// recordingTB records Errorf calls; the embedded TB is nil and never used.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, format)
}

// TestHandlerAndTransport puts the checks in front of a real loopback
// server and in a client: a wrong answer is reported by both, and the
// client still receives it unchanged.
func TestHandlerAndTransport(t *testing.T) {
	v := openapitest.New(t, "v4")
	wrong := strings.Replace(couriersOK, `"total":1`, `"total":"1"`, 1)
	face := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range rateHeaders() {
			w.Header()[k] = vs
		}
		body := couriersOK
		if r.URL.Query().Get("wrong") != "" {
			body = wrong
		}
		_, _ = io.WriteString(w, body)
	})
	server := &recordingTB{}
	srv := httptest.NewServer(v.Handler(server, face))
	defer srv.Close()
	client := &recordingTB{}
	c := &http.Client{Transport: v.Transport(client, nil)}

	for _, tt := range []struct {
		query    string
		wantBody string
		wantErrs int
	}{{"", couriersOK, 0}, {"?wrong=1", wrong, 1}} {
		req, _ := http.NewRequest("GET", srv.URL+"/v4/couriers"+tt.query, nil)
		req.Header.Set("aftership-api-key", "k")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != tt.wantBody || res.Header.Get("X-RateLimit-Limit") != "10" {
			t.Errorf("GET /v4/couriers%s: body %s, headers %v; want the face's answer unchanged", tt.query, body, res.Header)
		}
		if len(server.errors) != tt.wantErrs || len(client.errors) != tt.wantErrs {
			t.Errorf("after GET /v4/couriers%s: %d server and %d client reports, want %d each", tt.query, len(server.errors), len(client.errors), tt.wantErrs)
		}
	}
}

func TestNewRefusesUnknownFace(t *testing.T) {
	if _, err := openapitest.Load("nope"); err == nil || !strings.Contains(err.Error(), "v4") {
		t.Errorf("Load(nope) = %v, want an error listing the documents there are", err)
	}
}
