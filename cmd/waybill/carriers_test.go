package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/testdb"
)

// hookReceiver is a webhook endpoint on loopback that keeps every body.
type hookReceiver struct {
	mu     sync.Mutex
	bodies []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, string(b))
	h.mu.Unlock()
}

func (h *hookReceiver) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

// TestCarrierJourneyByPollingAlone: against a fake UPS, an organization's
// UPS credentials are checked (a wrong secret refused with UPS's reason),
// and a tracking created through v4 without checkpoints reaches Delivered
// by polling alone, with a webhook and a customer email for the delivery.
// The credentials appear in no response, webhook, email or log line.
func TestCarrierJourneyByPollingAlone(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { carrierJourney(t, engine) })
	}
}

func carrierJourney(t *testing.T, engine string) {
	const key = "wb_test_bootstrap_key_0001"
	const number = "1Z999AA10123456784"
	fake := upsfake.New(nil)
	ups := httptest.NewServer(fake)
	t.Cleanup(ups.Close)
	hooks := &hookReceiver{}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)
	mail := notifytest.StartSMTP(t)
	p := startServe(t, testdb.URL(t, engine),
		"WAYBILL_SECRET_KEY="+secretbox.GenerateKey(), "WAYBILL_CARRIER_UPS_URL="+ups.URL, "WAYBILL_POLL_SCALE=0.0001",
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true", "WAYBILL_LOG_LEVEL=debug",
		fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", mail.Port), "WAYBILL_MAIL_FROM=Shop <notify@shop.example>")
	var responses []string
	record := func(status int, body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		responses = append(responses, string(b))
		return status, body
	}

	status, body := record(p.callDated(t, "POST", "/tracking/2026-07/courier-connections", map[string]any{"courier_slug": "ups",
		"credentials": map[string]any{"client_id": upsfake.ClientID, "client_secret": "not-the-secret"}}))
	if msg, _ := body["meta"].(map[string]any)["message"].(string); status != 400 || !strings.Contains(msg, "ClientId is Invalid") {
		t.Fatalf("a wrong secret: %d %v", status, body)
	}
	status, body = record(p.callDated(t, "POST", "/tracking/2026-07/courier-connections", map[string]any{"courier_slug": "ups",
		"credentials": map[string]any{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret}}))
	if status != 201 {
		t.Fatalf("create connection: %d %v", status, body)
	}
	status, body = record(p.callDated(t, "POST", "/v1/webhooks", map[string]any{"url": hookSrv.URL + "/hook"}))
	if status != 201 {
		t.Fatalf("create webhook: %d %v", status, body)
	}
	status, body = record(p.call(t, "POST", "/v4/trackings", key, map[string]any{"tracking": map[string]any{
		"slug": "ups", "tracking_number": number, "emails": []string{"customer@example.org"}}}))
	if status != 201 {
		t.Fatalf("create tracking: %d %v", status, body)
	}
	id := body["data"].(map[string]any)["tracking"].(map[string]any)["id"].(string)

	var tr map[string]any
	deadline := time.Now().Add(3 * time.Minute)
	for {
		status, body = record(p.call(t, "GET", "/v4/trackings/"+id, key, nil))
		if status == 200 {
			tr = body["data"].(map[string]any)["tracking"].(map[string]any)
			if tr["tag"] == "Delivered" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tracking is %v after 3 minutes (%d UPS polls)\n%s", tr["tag"], fake.Polls(number), p.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if cps, _ := tr["checkpoints"].([]any); len(cps) != upsfake.Steps || fake.Polls(number) < upsfake.Steps {
		t.Errorf("delivered with %d checkpoints after %d polls; want %d", len(cps), fake.Polls(number), upsfake.Steps)
	}
	if tr["signed_by"] != upsfake.Receiver {
		t.Errorf("signed_by %v, want %q", tr["signed_by"], upsfake.Receiver)
	}

	delivered := func() (hook, email bool) {
		for _, b := range hooks.all() {
			hook = hook || (strings.Contains(b, number) && strings.Contains(b, `"tag":"Delivered"`))
		}
		for _, m := range mail.Mails() {
			email = email || (strings.Contains(m.Subject(), "has been delivered") && strings.Join(m.To, ",") == "customer@example.org")
		}
		return hook, email
	}
	for deadline := time.Now().Add(time.Minute); ; {
		hook, email := delivered()
		if hook && email {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Delivered: webhook %v, email %v (%d hooks, %d mails)", hook, email, len(hooks.all()), len(mail.Mails()))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Stop the server so that its log is complete, then look for the
	// secret everywhere it could have gone.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	var mails []string
	for _, m := range mail.Mails() {
		mails = append(mails, string(m.Raw))
	}
	for where, text := range map[string]string{"a response": strings.Join(responses, "\n"), "a webhook": strings.Join(hooks.all(), "\n"),
		"an email": strings.Join(mails, "\n"), "the log": p.stderr.String()} {
		if strings.Contains(text, upsfake.ClientSecret) || strings.Contains(text, "not-the-secret") {
			t.Errorf("%s shows the client secret", where)
		}
	}
	if !strings.Contains(p.stderr.String(), "level=") {
		t.Error("the server logged nothing; the log check proves nothing")
	}
}
