package admin_test

import (
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestSandboxJourneysEndToEnd creates one tracking per sandbox test number
// through the v4 API (the courier is detected), lets the accelerated
// journeys play out through the poller, and checks each final status on the
// API and in the webhooks received.
func TestSandboxJourneysEndToEnd(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine)
			rec, url := newReceiver(t, 200)
			if status, _ := s.call("POST", "/v1/webhooks", map[string]any{"url": url, "events": []string{"tracking_update"}}); status != 201 {
				t.Fatalf("create webhook: %d", status)
			}
			ids := map[string]string{}
			for _, j := range carrier.SandboxNumbers() {
				status, body := s.call("POST", "/v4/trackings", map[string]any{"tracking": map[string]any{"tracking_number": j.Prefix + "0001"}})
				if status != 201 {
					t.Fatalf("create %s: %d %v", j.Prefix, status, body)
				}
				tr := body["data"].(map[string]any)["tracking"].(map[string]any)
				if tr["slug"] != "sandbox" {
					t.Fatalf("%s detected as %v, want sandbox", j.Prefix, tr["slug"])
				}
				ids[j.Prefix] = tr["id"].(string)
			}
			for _, j := range carrier.SandboxNumbers() {
				var tag, subtag any
				for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					_, body := s.call("GET", "/v4/trackings/"+ids[j.Prefix], nil)
					tr := body["data"].(map[string]any)["tracking"].(map[string]any)
					if tag, subtag = tr["tag"], tr["subtag"]; tag == string(j.FinalTag) && subtag == j.FinalSubtag {
						break
					}
				}
				if tag != string(j.FinalTag) || subtag != j.FinalSubtag {
					t.Errorf("%s (%s): ended %v/%v, want %s/%s", j.Prefix, j.Outcome, tag, subtag, j.FinalTag, j.FinalSubtag)
				}
			}
			// Every final tag is announced by a tracking_update webhook.
			announced := func(number, tag string) bool {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				for _, b := range rec.bodies {
					if msg := b["msg"].(map[string]any); msg["tracking_number"] == number && msg["tag"] == tag {
						return true
					}
				}
				return false
			}
			for _, j := range carrier.SandboxNumbers() {
				deadline := time.Now().Add(30 * time.Second)
				for !announced(j.Prefix+"0001", string(j.FinalTag)) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if !announced(j.Prefix+"0001", string(j.FinalTag)) {
					t.Errorf("no tracking_update webhook for %s reaching %s", j.Prefix, j.FinalTag)
				}
			}
		})
	}
}
