package aftership

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
)

// In the dated API the data of every tracking response is the tracking
// object itself (the SDK's GetTrackingByIdResponse, CreateTrackingResponse,
// ... all have data: Tracking), and the list is
// {trackings, pagination: {total, next_cursor, has_next_page}}.

func (a *API) createDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	in, err := createInputDated(body)
	if err != nil {
		return err
	}
	t, err := a.Trackings.Create(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	writeCreated(w, a.renderDated(t))
	return nil
}

// pagination is the dated API's cursor page description.
type pagination struct {
	Total       int    `json:"total"`
	NextCursor  string `json:"next_cursor"`
	HasNextPage bool   `json:"has_next_page"`
}

func (a *API) listDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	f, err := listFilterDated(q)
	if err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 200); err != nil {
		return err
	}
	if f.BeforeSeq, err = decodeCursor(q.Get("cursor")); err != nil {
		return err
	}
	page, err := a.Trackings.List(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	writeListDated(w, listPageDated{
		Trackings:  page.Trackings,
		Pagination: pagination{Total: page.Total, NextCursor: encodeCursor(page.NextSeq), HasNextPage: page.NextSeq > 0},
		Fields:     q.Get("fields"), PublicURL: a.PublicURL,
	})
	return nil
}

// listFilterDated reads the dated list parameters (the SDK's
// GetTrackingsQuery). origin, destination and
// courier_destination_country_region take country codes, alpha-2 as the
// SDK sends them (the core accepts alpha-3 too).
func listFilterDated(q url.Values) (f waybill.TrackingFilter, err error) {
	if f, err = listFilter(q); err != nil {
		return f, err
	}
	// Waybill keeps one destination: the courier's is the same.
	f.CourierDestinations = splitList(q.Get("courier_destination_country_region"))
	if q.Get("shipment_tags") != "" {
		return f, waybill.Invalid(waybill.ReasonFieldInvalid, "Filtering by shipment_tags is not supported yet.")
	}
	return f, nil
}

// cursorPrefix versions the cursor's contents, so that the form can change
// without misreading cursors handed out before.
const cursorPrefix = "wb1."

// encodeCursor makes an opaque cursor of a store position; "" for none.
func encodeCursor(seq int64) string {
	if seq <= 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

// decodeCursor reads a cursor made by encodeCursor: 0 for "", 4008 (HTTP
// 400) for anything that is not one.
func decodeCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	invalid := waybill.Invalid(waybill.ReasonFieldInvalid, "The value of cursor is invalid.")
	if len(s) > 64 {
		return 0, invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, invalid
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, invalid
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || seq <= 0 || strconv.FormatInt(seq, 10) != digits {
		return 0, invalid
	}
	return seq, nil
}

func (a *API) getDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.Trackings.Get(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeOK(w, selectFields(a.renderDated(t), r.URL.Query().Get("fields")))
	return nil
}

func (a *API) updateDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	cur, err := a.Trackings.Get(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := updateInputDated(body, cur)
	if err != nil {
		return err
	}
	t, err := a.Trackings.Update(r.Context(), org.ID, cur.ID, in)
	if err != nil {
		return err
	}
	writeOK(w, a.renderDated(t))
	return nil
}

func (a *API) deleteDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.Trackings.Delete(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeOK(w, a.renderDated(t))
	return nil
}

func (a *API) retrackDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.Trackings.Retrack(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeOK(w, a.renderDated(t))
	return nil
}

// markCompletedDated ends a tracking: {"reason": "DELIVERED" | "LOST" |
// "RETURNED_TO_SENDER", "event_datetime"?}. event_datetime is accepted and
// not kept: the core records the completion at the time of the call.
func (a *API) markCompletedDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		Reason        *string `json:"reason"`
		EventDatetime *string `json:"event_datetime"`
	}
	if body != nil {
		if err := unmarshalObject(body, &req); err != nil {
			return err
		}
	}
	if req.Reason == nil || *req.Reason == "" {
		return waybill.Invalid(waybill.ReasonFieldRequired, "reason is required.")
	}
	t, err := a.Trackings.MarkCompleted(r.Context(), org.ID, r.PathValue("id"), *req.Reason)
	if err != nil {
		return err
	}
	writeOK(w, a.renderDated(t))
	return nil
}
