package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// notificationPayloads renders notification events as /v1 does.
type notificationPayloads struct{}

func (notificationPayloads) WebhookPayload(e waybill.Event, _ string) ([]byte, error) {
	return admin.NotificationPayload(e)
}

// TestNotificationAdminAPI drives templates, settings and the record of
// messages through /v1, and checks that notification.sent and
// notification.failed reach a subscribed endpoint with masked recipients.
func TestNotificationAdminAPI(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testdb.Open(t, engine)
			logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
			tenants := &tenant.Service{Store: st}
			org, key, err := tenants.CreateOrg(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			mail := notifytest.StartSMTP(t)
			sender, _ := notify.NewSMTPSender(notify.SMTPOptions{Host: mail.Host, Port: mail.Port, From: "acme <n@acme.example>"})
			webhooks := &webhook.Service{Store: st, AllowPrivate: true}
			notifier := &notify.Service{Store: st, Email: sender, PublicURL: "https://track.acme.example", Events: webhooks, Logger: logger}
			trackings := &tracking.Service{Store: st, Dispatcher: notifier.After(webhooks)}
			deliverer := &webhook.Deliverer{Service: webhooks, Renderer: notificationPayloads{}, Snooze: queue.Snooze,
				Client: webhook.NewClient(webhook.ClientOptions{TotalTimeout: 5 * time.Second, AllowPrivate: true})}
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Work: true, PollInterval: 20 * time.Millisecond, Logger: logger},
				queue.Handlers{PollTracking: trackings.Poll, DeliverWebhook: deliverer.Deliver, SendNotification: notifier.Send})
			if err != nil {
				t.Fatal(err)
			}
			trackings.Queue, webhooks.Queue, notifier.Queue = q, q, q
			qctx, stop := context.WithCancel(ctx)
			if err := q.Start(qctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				stop()
				c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = q.Stop(c)
			})
			a := &admin.API{Checkpoints: trackings, Webhooks: webhooks, Notifications: notifier, Auth: tenants, MaxBodyBytes: 1 << 20, Logger: logger}
			srv := httptest.NewServer(openapitest.New(t, "admin").Handler(t, httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, a).Handler()))
			defer srv.Close()
			call := func(method, path, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				req.Header.Set("as-api-key", key)
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				return res.StatusCode, out
			}
			errMessage := func(out map[string]any) string {
				e, _ := out["error"].(map[string]any)
				m, _ := e["message"].(string)
				return m
			}

			// Templates.
			status, out := call("PUT", "/v1/notification-templates/InTransit/de", `{"subject":"{{.StoreName}}: unterwegs","text":"Hallo\n{{.TrackingNumber\n","sms":"x"}`)
			if status != 400 || !strings.Contains(errMessage(out), "text, line 2: unclosed action") {
				t.Errorf("unparsable template: %d %v", status, out)
			}
			status, out = call("PUT", "/v1/notification-templates/InTransit/de", `{"subject":"{{.StoreName}}: {{.Shop}}","text":"t","sms":"x"}`)
			if status != 400 || !strings.Contains(errMessage(out), "subject, line 1: unknown placeholder {{.Shop}}") {
				t.Errorf("unknown placeholder: %d %v", status, out)
			}
			if status, _ := call("PUT", "/v1/notification-templates/Pending/de", `{"subject":"s","text":"t","sms":"x"}`); status != 404 {
				t.Errorf("template for Pending: %d, want 404", status)
			}
			if status, _ := call("PUT", "/v1/notification-templates/InTransit/de", `{"subject":"s"}`); status != 400 {
				t.Errorf("template without text: %d, want 400", status)
			}
			custom := `{"subject":"{{.StoreName}} – Paket {{.TrackingNumber}} ist {{.Status}}","text":"Seite: {{.PageURL}}\nAbmelden: {{.UnsubscribeURL}}\n","sms":"{{.StoreName}}: {{.Status}} {{.PageURL}}"}`
			status, out = call("PUT", "/v1/notification-templates/InTransit/de", custom)
			if tmpl, _ := out["template"].(map[string]any); status != 200 || tmpl["source"] != "custom" {
				t.Fatalf("PUT template: %d %v", status, out)
			}
			if _, out := call("GET", "/v1/notification-templates", ""); len(out["templates"].([]any)) != (7+7)*4 {
				t.Errorf("GET templates: %d, want 56 (7 tracking statuses and 7 return events, in 4 languages)", len(out["templates"].([]any)))
			}
			// A return's change has its template too, under the event's name.
			status, out = call("POST", "/v1/notification-templates/return.approved/de/preview", "")
			if p, _ := out["preview"].(map[string]any); status != 200 || p["subject"] != "acme: Ihre Rücksendung "+notify.SampleData.RMA+" ist genehmigt" {
				t.Errorf("preview of return.approved: %d %v", status, out)
			}
			if status, out := call("PUT", "/v1/notification-templates/return.opened/en", `{"subject":"s","text":"t","sms":"x"}`); status != 404 || !strings.Contains(errMessage(out), "return.submitted") {
				t.Errorf("template for an unknown return event: %d %v", status, out)
			}
			// A chunked body with no bytes in it is an empty body, as
			// Content-Length: 0 is: the stored template's preview. Before,
			// only Content-Length: 0 counted, and a streamed empty body
			// answered 400 invalid_json.
			_, declared := call("POST", "/v1/notification-templates/InTransit/de/preview", "")
			for _, ct := range []string{"", "application/json"} {
				req, _ := http.NewRequest("POST", srv.URL+"/v1/notification-templates/InTransit/de/preview", io.MultiReader())
				req.TransferEncoding = []string{"chunked"}
				req.Header.Set("as-api-key", key)
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if diff := cmp.Diff(declared, out); res.StatusCode != 200 || diff != "" {
					t.Errorf("preview with an empty chunked body (Content-Type %q): %d, mismatch with Content-Length: 0 (-want +got):\n%s", ct, res.StatusCode, diff)
				}
			}
			status, out = call("POST", "/v1/notification-templates/InTransit/de/preview", "")
			if p, _ := out["preview"].(map[string]any); status != 200 || p["subject"] != "acme – Paket "+notify.SampleData.TrackingNumber+" ist Unterwegs" {
				t.Errorf("preview: %d %v", status, out)
			}
			status, out = call("POST", "/v1/notification-templates/Delivered/fr/preview", `{"subject":"{{.Courier}}!","text":"t","sms":"s"}`)
			if p, _ := out["preview"].(map[string]any); status != 200 || p["subject"] != notify.SampleData.Courier+"!" {
				t.Errorf("preview of a body template: %d %v", status, out)
			}
			if status, _ := call("PUT", "/v1/notification-templates/Delivered/de", custom); status != 200 {
				t.Fatal("second template")
			}
			if status, _ := call("DELETE", "/v1/notification-templates/Delivered/de", ""); status != 204 {
				t.Errorf("DELETE template: %d", status)
			}
			if status, _ := call("DELETE", "/v1/notification-templates/Delivered/de", ""); status != 404 {
				t.Errorf("DELETE again: %d, want 404", status)
			}
			if _, out := call("GET", "/v1/notification-templates/Delivered/de", ""); out["template"].(map[string]any)["source"] != "default" {
				t.Errorf("after DELETE: %v", out)
			}

			// Settings.
			if _, out := call("GET", "/v1/notification-settings", ""); len(out["settings"].(map[string]any)["statuses"].([]any)) != 7 {
				t.Errorf("default settings: %v", out)
			}
			if status, _ := call("PUT", "/v1/notification-settings", `{"statuses":["Pending"]}`); status != 400 {
				t.Errorf("settings with Pending: %d, want 400", status)
			}
			if status, _ := call("PUT", "/v1/notification-settings", `{"delay_minutes":-1}`); status != 400 {
				t.Errorf("negative delay: %d, want 400", status)
			}
			status, out = call("PUT", "/v1/notification-settings", `{"statuses":["InTransit","Delivered"],"sms":false}`)
			if s, _ := out["settings"].(map[string]any); status != 200 || s["sms"] != false || s["email"] != true || len(s["statuses"].([]any)) != 2 {
				t.Errorf("PUT settings: %d %v", status, out)
			}

			// Events to a subscriber, and the record.
			var mu sync.Mutex
			var hooks [][]byte
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				hooks = append(hooks, b)
				mu.Unlock()
			}))
			defer recv.Close()
			status, out = call("POST", "/v1/webhooks", `{"url":"`+recv.URL+`","events":["notification.sent","notification.failed"]}`)
			if status != 201 {
				t.Fatalf("subscribe: %d %v", status, out)
			}
			emails := []string{"kunde@example.org", "bounce@example.org"}
			lang := "de"
			tr, err := trackings.Create(ctx, org.ID, tracking.CreateInput{TrackingNumber: "JD014600006281239999", Slug: "dhl",
				Fields: waybill.TrackingFields{Emails: &emails, Language: &lang}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := trackings.PushCheckpoints(ctx, org.ID, tracking.PushInput{Slug: "dhl", TrackingNumber: tr.TrackingNumber,
				Checkpoints: []waybill.Checkpoint{{CheckpointTime: time.Now().UTC().Format(time.RFC3339), Subtag: "InTransit_002", Message: "in transit"}}}); err != nil {
				t.Fatal(err)
			}
			mails := mail.WaitFor(1, 15*time.Second)
			if len(mails) != 1 || !strings.Contains(mails[0].Subject(), "Paket JD014600006281239999 ist Unterwegs") {
				t.Fatalf("mails: %d %v", len(mails), mails)
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				mu.Lock()
				n := len(hooks)
				mu.Unlock()
				if n >= 2 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			mu.Lock()
			all := string(bytes.Join(hooks, []byte("\n")))
			for _, h := range hooks {
				var head struct{ Event string }
				_ = json.Unmarshal(h, &head)
				if err := openapitest.CheckWebhook("admin", head.Event, h); err != nil {
					t.Error(err)
				}
			}
			mu.Unlock()
			if !strings.Contains(all, `"event":"notification.sent"`) || !strings.Contains(all, `"event":"notification.failed"`) ||
				!strings.Contains(all, `"recipient":"k***e@example.org"`) || strings.Contains(all, "kunde@example.org") || strings.Contains(all, "/u/") {
				t.Errorf("notification webhooks:\n%s", all)
			}

			status, out = call("GET", "/v1/notifications?tracking_id="+tr.ID, "")
			list, _ := out["notifications"].([]any)
			if status != 200 || len(list) != 2 {
				t.Fatalf("GET notifications: %d %v", status, out)
			}
			byRecipient := map[string]map[string]any{}
			for _, v := range list {
				n := v.(map[string]any)
				byRecipient[n["recipient"].(string)] = n
			}
			if n := byRecipient["k***e@example.org"]; n["status"] != "sent" || n["template"] != "custom" || n["channel"] != "email" ||
				n["tag"] != "InTransit" || n["attempts"] != 1.0 || n["provider_message_id"] != mails[0].MessageID() {
				t.Errorf("sent notification: %v", n)
			}
			if n := byRecipient["b***e@example.org"]; n["status"] != "failed" || !strings.Contains(n["last_error"].(string), "550") {
				t.Errorf("failed notification: %v", n)
			}
			if _, out := call("GET", "/v1/notifications?status=failed", ""); len(out["notifications"].([]any)) != 1 {
				t.Errorf("?status=failed: %v", out)
			}
			if _, out := call("GET", "/v1/notifications?since="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), ""); len(out["notifications"].([]any)) != 0 {
				t.Errorf("?since=later: %v", out)
			}
			for _, bad := range []string{"?status=lost", "?since=yesterday", "?limit=0"} {
				if status, out := call("GET", "/v1/notifications"+bad, ""); status != 400 || errMessage(out) == "" {
					t.Errorf("GET notifications%s: %d %v, want 400 in the envelope", bad, status, out)
				}
			}
		})
	}
}
