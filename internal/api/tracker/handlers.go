package tracker

import (
	"net/http"
	"strconv"

	"github.com/waybillhq/waybill"
)

// create serves POST /api/v2/tracker: 201 with the tracker, also for a
// repeat of the request that made it.
func (a *API) create(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q, err := a.decode(w, r)
	if err != nil {
		return err
	}
	v, err := a.Trackers.Create(r.Context(), org.ID, q.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, render(v, org, a.PublicURL))
}

// get serves GET /api/v2/tracker/{trackerExternalId}.
func (a *API) get(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	v, err := a.Trackers.Get(r.Context(), org.ID, r.PathValue("trackerExternalId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, render(v, org, a.PublicURL))
}

// update serves PUT /api/v2/tracker/{trackerExternalId}: the fields the
// vendor lets change; the others are refused (422).
func (a *API) update(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q, err := a.decode(w, r)
	if err != nil {
		return err
	}
	v, err := a.Trackers.Update(r.Context(), org.ID, r.PathValue("trackerExternalId"), q.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, render(v, org, a.PublicURL))
}

// cancel serves DELETE /api/v2/tracker/{trackerExternalId}: the tracker,
// now ORDER_CANCELLED.
func (a *API) cancel(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	v, err := a.Trackers.Cancel(r.Context(), org.ID, r.PathValue("trackerExternalId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, render(v, org, a.PublicURL))
}

// listJSON is a page of trackers.
type listJSON struct {
	Trackers []trackerJSON `json:"trackers"`
	Total    int           `json:"total"`
	Limit    int           `json:"limit"`
	Offset   int           `json:"offset"`
}

// list serves GET /api/v2/tracker?groupId=&status=&provider=&createdFrom=
// &createdTo=&limit=&offset= (times in Unix ms), newest first.
func (a *API) list(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	f := waybill.TrackerFilter{GroupID: q.Get("groupId"), Status: q.Get("status"), Provider: q.Get("provider")}
	var bad []waybill.FieldProblem
	num := func(name string) *int64 {
		s := q.Get(name)
		if s == "" {
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad = append(bad, waybill.FieldProblem{Field: name, Message: name + " must be an integer"})
			return nil
		}
		return &n
	}
	f.CreatedFrom, f.CreatedTo = num("createdFrom"), num("createdTo")
	if n := num("limit"); n != nil {
		f.Limit = int(min(max(*n, -1), waybill.MaxTrackerPage+1))
		if *n == 0 {
			f.Limit = -1 // an explicit 0 is refused, not the default
		}
	}
	if n := num("offset"); n != nil {
		f.Offset = int(min(max(*n, -1), 1_000_001))
	}
	if len(bad) > 0 {
		return &waybill.FieldErrors{Err: &waybill.Error{Code: waybill.EUNPROCESSABLE, Reason: waybill.ReasonFieldInvalid, Message: bad[0].Message}, Fields: bad}
	}
	views, total, err := a.Trackers.List(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	// The page as the core read it: a list that gives no limit has the
	// default one, and says so.
	limit := f.Limit
	if limit == 0 {
		limit = waybill.DefaultTrackerPage
	}
	out := listJSON{Trackers: make([]trackerJSON, 0, len(views)), Total: total, Offset: f.Offset, Limit: limit}
	for _, v := range views {
		out.Trackers = append(out.Trackers, render(v, org, a.PublicURL))
	}
	return writeJSON(w, http.StatusOK, out)
}
