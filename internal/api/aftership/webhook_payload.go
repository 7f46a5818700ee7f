package aftership

import (
	"encoding/json"
	"fmt"

	"github.com/waybillhq/waybill"
)

// Payloads renders events as AfterShip's webhook bodies. It implements the
// webhook package's PayloadRenderer.
type Payloads struct {
	// PublicURL is the base of the tracking page links in 2026-07 bodies
	// (aftership_tracking_url); "" leaves them null.
	PublicURL string
}

// WebhookPayload returns the body AfterShip sends for the event in the
// given API version ("v4" or "2026-07"): {"event", "event_id",
// "is_tracking_first_tag", "ts", "msg": <tracking object of that version>}.
func (p Payloads) WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	if e.Tracking == nil {
		return nil, fmt.Errorf("event %s has no tracking", e.ID)
	}
	var msg any
	switch apiVersion {
	case "v4", "":
		msg = renderTrackingV4(*e.Tracking)
	case datedVersion:
		msg = withPageLinks(renderTrackingDated(*e.Tracking), *e.Tracking, p.PublicURL)
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
