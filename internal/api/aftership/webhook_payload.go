package aftership

import (
	"encoding/json"
	"fmt"

	"github.com/waybillhq/waybill"
)

// Payloads renders events as AfterShip's webhook bodies. It implements the
// webhook package's PayloadRenderer.
type Payloads struct{}

// WebhookPayload returns the body AfterShip sends for the event in the
// given API version ("v4" or "2026-07"): {"event", "event_id",
// "is_tracking_first_tag", "ts", "msg": <tracking object of that version>}.
func (Payloads) WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	if e.Tracking == nil {
		return nil, fmt.Errorf("event %s has no tracking", e.ID)
	}
	var msg any
	switch apiVersion {
	case "v4", "":
		msg = renderTrackingV4(*e.Tracking)
	case datedVersion:
		msg = renderTrackingDatedWebhook(*e.Tracking)
	default:
		return nil, fmt.Errorf("unknown api version %q", apiVersion)
	}
	return json.Marshal(struct {
		Event              string `json:"event"`
		EventID            string `json:"event_id"`
		IsTrackingFirstTag bool   `json:"is_tracking_first_tag"`
		TS                 int64  `json:"ts"`
		Msg                any    `json:"msg"`
	}{e.Type, e.ID, e.FirstTag, e.CreatedAt.Unix(), msg})
}

// renderTrackingDatedWebhook renders a tracking for a 2026-07 webhook.
func renderTrackingDatedWebhook(t waybill.Tracking) any { return renderTrackingDated(t) }
