package tracker

import (
	"encoding/json"
	"fmt"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/trackers"
)

// Payloads renders tracker.status_changed events as the Tracker API's
// webhook body: the tracker object, as GET /api/v2/tracker/{id} shows it,
// with "event", "previousStatus" and "status" (the new one) at its top.
// The server composes it with the other faces' renderers by event type;
// the delivery is signed like every other.
type Payloads struct {
	PublicURL string
}

// Handles reports whether the event type is one Payloads renders.
func (Payloads) Handles(eventType string) bool { return eventType == waybill.EventTrackerStatusChanged }

// WebhookPayload renders the event; apiVersion is "tracker" for the
// endpoints that hear it.
func (p Payloads) WebhookPayload(e waybill.Event, _ string) ([]byte, error) {
	var c waybill.TrackerChange
	if err := json.Unmarshal([]byte(e.Detail), &c); err != nil {
		return nil, fmt.Errorf("event %s: decode tracker change: %w", e.ID, err)
	}
	if e.Tracking == nil {
		return nil, fmt.Errorf("event %s has no tracking", e.ID)
	}
	v := trackers.View{Tracker: c.Tracker, Tracking: *e.Tracking, Status: c.Status}
	body, err := json.Marshal(render(v, waybill.Organization{Name: c.Brand}, p.PublicURL))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	delete(m, "warnings") // the create's, not the change's
	m["event"], m["previousStatus"], m["status"] = e.Type, c.PreviousStatus, c.Status
	return json.Marshal(m)
}
