package onport

import (
	"bytes"
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
)

// dropshipmentUpdateBody is the body of PUT /api/dropshipments/:id.json:
// the tracking fields, each optional.
type dropshipmentUpdateBody struct {
	TrackingNumber  *string `json:"trackingNumber"`
	TrackingCompany *string `json:"trackingCompany"`
	TrackingURL     *string `json:"trackingUrl"`
	ServiceLevel    *string `json:"serviceLevel"`
}

// updateDropshipment serves PUT /api/dropshipments/{id}.json: 200 with the
// dropshipment and its items. A new tracking number links the parcel's
// tracking.
func (a *API) updateDropshipment(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	id, ok := jsonID(r.PathValue("file"))
	if !ok {
		return waybill.Errorf(waybill.ENOTFOUND, "Dropshipment not found.")
	}
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	var b dropshipmentUpdateBody
	if err := decodeJSON(body, &b); err != nil {
		return err
	}
	if _, _, err := a.Commerce.UpdateDropshipment(r.Context(), org.ID, id, commerce.DropshipmentUpdate{TrackingNumber: b.TrackingNumber,
		TrackingCompany: b.TrackingCompany, TrackingURL: b.TrackingURL, ServiceLevel: b.ServiceLevel}); err != nil {
		return err
	}
	return a.writeDropshipment(r.Context(), w, org.ID, id, http.StatusOK)
}

// trackingEventBody is a tracking event as Onport takes it, wrapped in
// {"trackingEvents": {...}} or bare.
type trackingEventBody struct {
	DropshipmentID int64      `json:"dropshipmentId"`
	TransactionID  flexString `json:"transactionId"`
	ExternalID     flexString `json:"externalId"`
	StatusAt       string     `json:"statusAt"`
	Status         string     `json:"status"`
	SubStatus      string     `json:"subStatus"`
	ActionRequired bool       `json:"actionRequired"`
	Details        string     `json:"details"`
	City           string     `json:"city"`
	State          string     `json:"state"`
	Zip            flexString `json:"zip"`
	Country        string     `json:"country"`
}

// decodeTrackingEvent reads a tracking-events body.
func decodeTrackingEvent(body []byte) (commerce.TrackingEventInput, error) {
	var b trackingEventBody
	if bytes.Contains(body, []byte(`"trackingEvents"`)) {
		var wrapped struct {
			TrackingEvents trackingEventBody `json:"trackingEvents"`
		}
		if err := decodeJSON(body, &wrapped); err != nil {
			return commerce.TrackingEventInput{}, err
		}
		b = wrapped.TrackingEvents
	} else if err := decodeJSON(body, &b); err != nil {
		return commerce.TrackingEventInput{}, err
	}
	return commerce.TrackingEventInput{DropshipmentID: b.DropshipmentID, TransactionID: string(b.TransactionID), StatusAt: b.StatusAt,
		Status: b.Status, SubStatus: b.SubStatus, Details: b.Details, City: b.City, State: b.State, Zip: string(b.Zip),
		Country: b.Country, ActionRequired: b.ActionRequired}, nil
}

// addTrackingEvent serves POST /api/tracking-events.json: 201 with the
// event; the same transactionId again answers the stored one.
func (a *API) addTrackingEvent(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := decodeTrackingEvent(body)
	if err != nil {
		return err
	}
	e, err := a.Commerce.AddTrackingEvent(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderTrackingEvent(e))
	return nil
}

func renderTrackingEvent(e waybill.DropshipmentTrackingEvent) map[string]any {
	return map[string]any{"id": e.ID, "companyId": e.OrgID, "dropshipmentId": e.DropshipmentID, "transactionId": e.TransactionID,
		"status": e.Status, "subStatus": nullable(e.SubStatus), "statusAt": ts(e.StatusAt), "details": nullable(e.Details),
		"city": nullable(e.City), "state": nullable(e.State), "zip": nullable(e.Zip), "country": nullable(e.Country),
		"actionRequired": e.ActionRequired, "createdAt": ts(e.CreatedAt)}
}

func trackingEventID(e waybill.DropshipmentTrackingEvent) int64 { return e.ID }
