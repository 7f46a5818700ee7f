package onport

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// list serves GET /api/<resource>.json: an array, with X-Total-Count
// omitted (Onport pages by limit/offset; a short page is the last).
func (a *API) list(res resource) authed {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
		q, err := parseQuery(r.URL.Query(), res)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		recs, err := a.load(r, res, org.ID, q)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		out := make([]map[string]any, len(recs))
		for i, rec := range recs {
			out[i] = rec.m
		}
		w.Header().Set("X-Limit", strconv.Itoa(q.page.Limit))
		w.Header().Set("X-Offset", strconv.Itoa(q.page.Offset))
		writeJSON(w, http.StatusOK, out)
	}
}

// get serves GET /api/<resource>/<id>.json: one object, or 404.
func (a *API) get(res resource) authed {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
		id, ok := jsonID(r.PathValue("file"))
		if !ok {
			a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "Not found."))
			return
		}
		q, err := parseQuery(r.URL.Query(), res)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		q.conds = []store.Cond{{Column: "id", Values: store.IDs(id)}}
		q.page = store.Page{Limit: 1}
		recs, err := a.load(r, res, org.ID, q)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if len(recs) == 0 {
			a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "Not found."))
			return
		}
		writeJSON(w, http.StatusOK, recs[0].m)
	}
}

func (a *API) load(r *http.Request, res resource, org int64, q listQuery) ([]record, error) {
	rq := a.Store.Read()
	recs, err := res.load(r.Context(), rq, org, q.conds, q.page)
	if err != nil || len(recs) == 0 {
		return recs, err
	}
	for _, inc := range q.includes {
		if err := res.includes[inc](r.Context(), rq, org, recs); err != nil {
			return nil, err
		}
	}
	return recs, nil
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

// channelWrite serves the synchronous custom-channel writes; the body goes
// to the same core call as the asynchronous path.
func (a *API) channelWrite(kind string) authed {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
		id, ok := pathID(r)
		if !ok {
			a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "Channel not found."))
			return
		}
		ch, err := a.Commerce.Channel(r.Context(), org.ID, id)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		body, err := a.readBody(w, r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		in, err := DecodeWrite(kind, body)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		res, err := a.Commerce.ApplyNow(r.Context(), ch, in)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if kind != waybill.InboundManualSale {
			writeJSON(w, http.StatusOK, map[string]any{"variantIds": nonNil(res.VariantIDs), "updated": res.Updated})
			return
		}
		recs, err := a.load(r, resourceNamed("sales"), org.ID, listQuery{
			conds:    []store.Cond{{Column: "id", Values: store.IDs(res.SaleID)}},
			includes: []string{"Customer", "SaleItem", "Purchase"}, page: store.Page{Limit: 1}})
		if err != nil || len(recs) == 0 {
			a.writeError(w, r, errorsOr(err, "sale vanished"))
			return
		}
		status := http.StatusOK
		if res.Created {
			status = http.StatusCreated
		}
		writeJSON(w, status, recs[0].m)
	}
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func errorsOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return waybill.Errorf(waybill.EINTERNAL, "%s", msg)
}

func resourceNamed(name string) resource {
	for _, r := range resources {
		if r.name == name {
			return r
		}
	}
	panic("no resource " + name)
}

// ship serves POST /api/purchases/{id}/ship.json: 201 with the
// dropshipment and its items.
func (a *API) ship(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	id, ok := pathID(r)
	if !ok {
		a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "Purchase not found."))
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, err := decodeShip(body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.Commerce.Ship(r.Context(), org.ID, id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeDropshipment(w, r, org.ID, d.ID, http.StatusCreated)
}

// acknowledge serves PUT /api/dropshipments/{id}/acknowledge.json.
func (a *API) acknowledge(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	id, ok := pathID(r)
	if !ok {
		a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "Dropshipment not found."))
		return
	}
	if _, err := a.Commerce.AcknowledgeDropshipment(r.Context(), org.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeDropshipment(w, r, org.ID, id, http.StatusOK)
}

func (a *API) writeDropshipment(w http.ResponseWriter, r *http.Request, org, id int64, status int) {
	recs, err := a.load(r, resourceNamed("dropshipments"), org, listQuery{
		conds: []store.Cond{{Column: "id", Values: store.IDs(id)}}, includes: []string{"DropshipmentItem"}, page: store.Page{Limit: 1}})
	if err != nil || len(recs) == 0 {
		a.writeError(w, r, errorsOr(err, "dropshipment vanished"))
		return
	}
	writeJSON(w, status, recs[0].m)
}

// inbound serves an asynchronous endpoint: 200 once the message is
// committed. The only refusals are an unknown hash (401), an unreadable
// (400) or oversized (413) body, and a failed commit (503, so the sender
// retries); the payload itself is checked later and its outcome is in the
// API logs.
func (a *API) inbound(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ch, err := a.Commerce.ChannelByHash(r.Context(), strings.TrimSpace(r.Header.Get("jetti-webhook-hash")))
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		body, err := a.readBody(w, r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		msg := &waybill.InboundMessage{OrgID: ch.OrgID, ChannelID: ch.ID, Kind: kind, Body: body,
			ExternalID: PeekExternalID(kind, body), ReceivedAt: time.Now().UTC()}
		if err := a.Inbound.Submit(r.Context(), msg); err != nil {
			a.Logger.Error("inbound message not stored", "channel", ch.ID, "kind", kind, "err", err)
			a.writeError(w, r, waybill.Errorf(waybill.EUNAVAILABLE, "The message was not stored; send it again."))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": msg.ID, "status": "accepted"})
	}
}
