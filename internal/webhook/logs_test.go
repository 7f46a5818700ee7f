package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestFailedAttemptsAreLogged: before, 34 failed attempts (HTTP 500) logged
// nothing. Each failed attempt now gives one warning with the endpoint, the
// status and the next attempt; a success gives none, and the receiver's
// path (which may hold its token) stays out of the log.
func TestFailedAttemptsAreLogged(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		rec := newReceiver(t, http.StatusInternalServerError)
		ep, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(rec.URL + "/hook/secret-token-123")})
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		d := h.deliverer([]byte(`{}`))
		d.Logger = slog.New(slog.NewJSONHandler(&logs, nil))

		ids := h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
		if err := d.Deliver(ctx, h.org.ID, ids[0], 1); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if len(lines) != 1 {
			t.Fatalf("%d log lines for one failed attempt:\n%s", len(lines), logs.String())
		}
		var line struct {
			Level, Msg, Host, Outcome string
			Endpoint                  string `json:"endpoint"`
			Status, Attempt           int
			Next                      string `json:"next_attempt"`
		}
		if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
			t.Fatal(err)
		}
		next, err := time.Parse(time.RFC3339, line.Next)
		if line.Level != "WARN" || line.Msg != "webhook attempt failed" || line.Endpoint != ep.ID || line.Status != 500 ||
			line.Attempt != 1 || line.Outcome != "retry" || err != nil || !next.After(h.clock().Add(-time.Second)) ||
			!strings.HasPrefix(rec.URL, "http://"+line.Host) {
			t.Errorf("log line: %s", lines[0])
		}
		if strings.Contains(logs.String(), "secret-token-123") {
			t.Errorf("the endpoint's path is in the log: %s", logs.String())
		}

		// A refused connection: the cause, without the URL.
		rec.Close()
		logs.Reset()
		if err := d.Deliver(ctx, h.org.ID, ids[0], 2); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), `"error":`) || strings.Contains(logs.String(), "secret-token-123") {
			t.Errorf("refused attempt log: %s", logs.String())
		}

		rec2 := newReceiver(t, http.StatusOK)
		if _, err := h.svc.UpdateEndpoint(ctx, h.org.ID, ep.ID, webhook.EndpointInput{URL: ptr(rec2.URL + "/ok")}); err != nil {
			t.Fatal(err)
		}
		logs.Reset()
		ids = h.dispatch(t, waybill.Event{Tag: waybill.TagDelivered})
		if err := d.Deliver(ctx, h.org.ID, ids[0], 1); err != nil {
			t.Fatal(err)
		}
		if logs.Len() != 0 {
			t.Errorf("a successful attempt logged: %s", logs.String())
		}
	})
}
