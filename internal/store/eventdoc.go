package store

import (
	"encoding/json"
	"time"

	"github.com/waybillhq/waybill"
)

// eventDoc is an event as the store keeps it: the JSON payload in
// events.payload, with the tracking snapshot in its stored form
// (trackingDoc). Like trackingDoc, its field names are the database's and
// do not follow waybill.Event's JSON tags. OrgID and ChannelID are columns.
type eventDoc struct {
	ID         string       `json:"event_id"`
	Type       string       `json:"event"`
	TrackingID string       `json:"tracking_id,omitempty"`
	Tag        string       `json:"tag,omitempty"`
	FirstTag   bool         `json:"is_tracking_first_tag"`
	Tracking   *trackingDoc `json:"tracking,omitempty"`
	Detail     string       `json:"detail,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	// Notification is kept in the root type's own form for now; it has
	// no document type of its own yet.
	Notification *waybill.Notification `json:"notification,omitempty"`
	// EndpointID is the one endpoint the event is for, "" for all.
	EndpointID string `json:"endpoint_id,omitempty"`
	// Return is the whole return of a return.* event.
	Return *returnDoc `json:"return,omitempty"`
}

// encodeEvent returns the stored payload of e.
func encodeEvent(e *waybill.Event) ([]byte, error) {
	d := eventDoc{ID: e.ID, Type: e.Type, TrackingID: e.TrackingID, Tag: string(e.Tag), FirstTag: e.FirstTag,
		Detail: e.Detail, CreatedAt: e.CreatedAt, Notification: e.Notification, EndpointID: e.EndpointID}
	if e.Tracking != nil {
		td := docOf(e.Tracking)
		d.Tracking = &td
	}
	if e.Return != nil {
		rd := returnDocOf(e.Return)
		d.Return = &rd
	}
	return json.Marshal(d)
}

// decodeEvent reads a stored event payload; the caller sets OrgID and
// ChannelID from their columns.
func decodeEvent(payload string) (waybill.Event, error) {
	var d eventDoc
	if err := json.Unmarshal([]byte(payload), &d); err != nil {
		return waybill.Event{}, err
	}
	e := waybill.Event{ID: d.ID, Type: d.Type, TrackingID: d.TrackingID, Tag: waybill.Tag(d.Tag), FirstTag: d.FirstTag,
		Detail: d.Detail, CreatedAt: d.CreatedAt, Notification: d.Notification, EndpointID: d.EndpointID}
	if d.Tracking != nil {
		t := d.Tracking.tracking()
		e.Tracking = &t
	}
	if d.Return != nil {
		r := d.Return.value()
		e.Return = &r
	}
	return e, nil
}
