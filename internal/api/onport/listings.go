package onport

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
)

// list serves GET /api/<resource>.json: an array, with X-Total-Count
// omitted (Onport pages by limit/offset; a short page is the last).
func (a *API) list(res resource) handler {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
		q, err := parseQuery(r.URL.Query(), res)
		if err != nil {
			return err
		}
		recs, err := a.load(r.Context(), res, org.ID, q)
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(recs))
		for i, rec := range recs {
			out[i] = rec.m
		}
		w.Header().Set("X-Limit", strconv.Itoa(q.page.Limit))
		w.Header().Set("X-Offset", strconv.Itoa(q.page.Offset))
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// get serves GET /api/<resource>/<id>.json: one object, or 404.
func (a *API) get(res resource) handler {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
		id, ok := jsonID(r.PathValue("file"))
		if !ok {
			return waybill.Errorf(waybill.ENOTFOUND, "Not found.")
		}
		q, err := parseQuery(r.URL.Query(), res)
		if err != nil {
			return err
		}
		one, err := byID(res, id, q.includes...)
		if err != nil {
			return err
		}
		m, err := a.loadOne(r.Context(), res, org.ID, one, "Not found.")
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, m)
		return nil
	}
}

// load reads a page of a listing and side-loads its includes.
func (a *API) load(ctx context.Context, res resource, org int64, q listQuery) ([]record, error) {
	recs, err := q.list(ctx, a.Commerce, org, q.page)
	if err != nil || len(recs) == 0 {
		return recs, err
	}
	for _, inc := range q.includes {
		if err := res.includes[inc](ctx, a.Commerce, org, recs); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// loadOne reads the one record q selects, or ENOTFOUND with notFound.
func (a *API) loadOne(ctx context.Context, res resource, org int64, q listQuery, notFound string) (map[string]any, error) {
	recs, err := a.load(ctx, res, org, q)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, waybill.Errorf(waybill.ENOTFOUND, "%s", notFound)
	}
	return recs[0].m, nil
}

// jsonID reads "<id>.json" (or a bare id).
func jsonID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSuffix(s, ".json"), 10, 64)
	return id, err == nil && id > 0
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func resourceNamed(name string) resource {
	for _, r := range resources {
		if r.name == name {
			return r
		}
	}
	panic("no resource " + name)
}
