package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// servePages runs `waybill serve` on a free port with WAYBILL_PUBLIC_URL
// set to that address, so the links it renders lead back to it.
func servePages(t *testing.T, engine string, extraEnv ...string) *process {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := append([]string{"WAYBILL_ADDR=" + addr, "WAYBILL_PUBLIC_URL=http://" + addr}, extraEnv...)
	return startServe(t, testdb.URL(t, engine), env...)
}

// callDated calls the 2026-07 API with the bootstrap key.
func (p *process) callDated(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.URL+path, bytes.NewReader(data))
	req.Header.Set("as-api-key", "wb_test_bootstrap_key_0001")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestTrackingURLServesPage follows the aftership_tracking_url of a
// tracking created through the 2026-07 API to its page.
func TestTrackingURLServesPage(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			p := servePages(t, engine)
			status, body := p.callDated(t, "POST", "/tracking/2026-07/trackings", map[string]any{
				"slug": "ups", "tracking_number": "1Z999AA10123456784", "order_number": "#1001", "destination_city": "Leeds",
				"customers": []map[string]any{{"name": "Ann Smithson", "email": "ann.smithson@example.com", "phone_number": "+447700900123"}},
			})
			if status != 201 {
				t.Fatalf("create: %d %v", status, body)
			}
			data := body["data"].(map[string]any)
			link, _ := data["aftership_tracking_url"].(string)
			if !strings.HasPrefix(link, p.URL+"/t/") || strings.Contains(link, data["id"].(string)) {
				t.Fatalf("aftership_tracking_url = %q, want %s/t/{page token}", link, p.URL)
			}
			for _, url := range []string{link, data["aftership_tracking_order_url"].(string)} {
				res, err := http.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !strings.Contains(string(page), "1Z999AA10123456784") || !strings.Contains(string(page), "Leeds") {
					t.Fatalf("GET %s: %d\n%s", url, res.StatusCode, page)
				}
				for _, secret := range []string{"Ann Smithson", "ann.smithson@example.com", "7700900123"} {
					if strings.Contains(string(page), secret) {
						t.Errorf("GET %s shows %q", url, secret)
					}
				}
			}
		})
	}
}
