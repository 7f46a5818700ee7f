package aftership

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// In the dated API the data of every tracking response is the tracking
// object itself (the SDK's GetTrackingByIdResponse, CreateTrackingResponse,
// ... all have data: Tracking), and the list is
// {trackings, pagination: {total, next_cursor, has_next_page}}.

func (a *API) createDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, err := createInputDated(body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.Trackings.Create(r.Context(), org.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeCreated(w, a.renderDated(t))
}

// pagination is the dated API's cursor page description.
type pagination struct {
	Total       int    `json:"total"`
	NextCursor  string `json:"next_cursor"`
	HasNextPage bool   `json:"has_next_page"`
}

func (a *API) listDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	q := r.URL.Query()
	f, err := listFilterDated(q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 200); err != nil {
		a.writeError(w, r, err)
		return
	}
	if f.BeforeSeq, err = decodeCursor(q.Get("cursor")); err != nil {
		a.writeError(w, r, err)
		return
	}
	page, err := a.Trackings.List(r.Context(), org.ID, f)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]any, len(page.Trackings))
	for i, t := range page.Trackings {
		out[i] = selectFields(a.renderDated(t), q.Get("fields"))
	}
	writeOK(w, map[string]any{
		"trackings":  out,
		"pagination": pagination{Total: page.Total, NextCursor: encodeCursor(page.NextSeq), HasNextPage: page.NextSeq > 0},
	})
}

// listFilterDated reads the dated list parameters (the SDK's
// GetTrackingsQuery). origin, destination and
// courier_destination_country_region take alpha-2 codes (alpha-3 too).
func listFilterDated(q url.Values) (f store.TrackingFilter, err error) {
	if f, err = listFilter(q); err != nil {
		return f, err
	}
	if f.Origins, err = countryFilter("origin", f.Origins); err != nil {
		return f, err
	}
	if f.Destinations, err = countryFilter("destination", f.Destinations); err != nil {
		return f, err
	}
	// Waybill keeps one destination: the courier's is the same.
	courierDest, err := countryFilter("courier_destination_country_region", splitList(strings.ToUpper(q.Get("courier_destination_country_region"))))
	if err != nil {
		return f, err
	}
	if len(courierDest) > 0 {
		if len(f.Destinations) == 0 {
			f.Destinations = courierDest
		} else {
			f.Destinations = slices.DeleteFunc(f.Destinations, func(c string) bool { return !slices.Contains(courierDest, c) })
			if len(f.Destinations) == 0 {
				f.Destinations = []string{"-"} // both given and disjoint: nothing matches
			}
		}
	}
	if q.Get("shipment_tags") != "" {
		return f, waybill.Invalid(waybill.ReasonFieldInvalid, "Filtering by shipment_tags is not supported yet.")
	}
	return f, nil
}

// countryFilter maps a list of alpha-2 (or alpha-3) codes to alpha-3.
func countryFilter(name string, codes []string) ([]string, error) {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		iso3, err := countryISO3(name, &c)
		if err != nil {
			return nil, err
		}
		out = append(out, *iso3)
	}
	return out, nil
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

func (a *API) getDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.Trackings.Get(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, selectFields(a.renderDated(t), r.URL.Query().Get("fields")))
}

func (a *API) updateDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cur, err := a.Trackings.Get(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, err := updateInputDated(body, cur)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.Trackings.Update(r.Context(), org.ID, cur.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, a.renderDated(t))
}

func (a *API) deleteDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.Trackings.Delete(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, a.renderDated(t))
}

func (a *API) retrackDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.Trackings.Retrack(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, a.renderDated(t))
}

// markCompletedDated ends a tracking: {"reason": "DELIVERED" | "LOST" |
// "RETURNED_TO_SENDER", "event_datetime"?}. event_datetime is accepted and
// not kept: the core records the completion at the time of the call.
func (a *API) markCompletedDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var req struct {
		Reason        *string `json:"reason"`
		EventDatetime *string `json:"event_datetime"`
	}
	if body != nil {
		if err := unmarshalObject(body, &req); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	if req.Reason == nil || *req.Reason == "" {
		a.writeError(w, r, waybill.Invalid(waybill.ReasonFieldRequired, "reason is required."))
		return
	}
	t, err := a.Trackings.MarkCompleted(r.Context(), org.ID, r.PathValue("id"), *req.Reason)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, a.renderDated(t))
}
