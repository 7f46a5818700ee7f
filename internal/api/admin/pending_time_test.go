package admin_test

import "testing"

// TestWebhookPendingHours: /v1/webhooks takes and shows the
// tracking_pending_time threshold, and refuses one out of range.
func TestWebhookPendingHours(t *testing.T) {
	s := newStack(t, "sqlite")
	for _, hours := range []any{0, 721, "48", 1.5} {
		body := map[string]any{"url": "https://example.com/hook", "events": []string{"tracking_pending_time"}, "pending_hours": hours}
		if status, out := s.call("POST", "/v1/webhooks", body); status != 400 || out["error"] == nil {
			t.Errorf("pending_hours %v: %d %v, want 400 with an error", hours, status, out)
		}
	}
	status, out := s.call("POST", "/v1/webhooks", map[string]any{"url": "https://example.com/hook", "events": []string{"tracking_pending_time"}})
	if status != 201 || out["pending_hours"] != float64(24) {
		t.Fatalf("default threshold: %d %v", status, out)
	}
	status, out = s.call("PATCH", "/v1/webhooks/"+out["id"].(string), map[string]any{"pending_hours": 72})
	if status != 200 || out["pending_hours"] != float64(72) {
		t.Errorf("PATCH pending_hours: %d %v", status, out)
	}
}
