package aftership

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/tracking"
)

// v4Headers are the key headers the legacy API accepts, in order.
var v4Headers = []string{"aftership-api-key", "as-api-key"}

// v4 guards a legacy handler. The legacy budget is per key: one bucket
// shared by every endpoint, as AfterShip's 10 requests/s per account.
func (a *API) v4(h authed) http.HandlerFunc {
	return a.guard(v4Headers, "v4", a.LegacyRate, h)
}

func (a *API) registerV4(mux *http.ServeMux) {
	mux.HandleFunc("POST /v4/trackings", a.v4(a.createV4))
	mux.HandleFunc("GET /v4/trackings", a.v4(a.listV4))
	for _, p := range []string{"/v4/trackings/{id}", "/v4/trackings/{slug}/{number}"} {
		mux.HandleFunc("GET "+p, a.v4(a.getV4))
		mux.HandleFunc("PUT "+p, a.v4(a.updateV4))
		mux.HandleFunc("DELETE "+p, a.v4(a.deleteV4))
		mux.HandleFunc("POST "+p+"/retrack", a.v4(a.retrackV4))
		mux.HandleFunc("POST "+p+"/mark-as-completed", a.v4(a.markCompletedV4))
	}
	for _, p := range []string{"/v4/last_checkpoint/{id}", "/v4/last_checkpoint/{slug}/{number}"} {
		mux.HandleFunc("GET "+p, a.v4(a.lastCheckpointV4))
	}
	for _, p := range []string{"/v4/notifications/{id}", "/v4/notifications/{slug}/{number}"} {
		mux.HandleFunc("GET "+p, a.v4(a.getNotificationsV4))
		mux.HandleFunc("POST "+p+"/add", a.v4(a.changeNotificationsV4(true)))
		mux.HandleFunc("POST "+p+"/remove", a.v4(a.changeNotificationsV4(false)))
	}
	mux.HandleFunc("GET /v4/couriers", a.v4(a.couriersV4))
	mux.HandleFunc("GET /v4/couriers/all", a.v4(a.allCouriersV4))
	mux.HandleFunc("POST /v4/couriers/detect", a.v4(a.detectV4))
}

// lookupV4 resolves a v4 address: /:id or /:slug/:tracking_number.
func (a *API) lookupV4(r *http.Request, org waybill.Organization) (waybill.Tracking, error) {
	if slug := r.PathValue("slug"); slug != "" {
		return a.Trackings.GetByNumber(r.Context(), org.ID, slug, r.PathValue("number"))
	}
	return a.Trackings.Get(r.Context(), org.ID, r.PathValue("id"))
}

// readTrackingV4 decodes {"tracking": {...}}; a missing object gives 4006.
func (a *API) readTrackingV4(w http.ResponseWriter, r *http.Request) (*trackingRequestV4, error) {
	var body struct {
		Tracking json.RawMessage `json:"tracking"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return nil, err
	}
	if len(body.Tracking) == 0 || string(body.Tracking) == "null" {
		return nil, waybill.Invalid(waybill.ReasonTrackingRequired, "tracking object is required.")
	}
	var req trackingRequestV4
	if err := unmarshalObject(body.Tracking, &req); err != nil {
		return nil, err
	}
	return &req, nil
}

func (a *API) createV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	req, err := a.readTrackingV4(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, candidates, err := req.createInput()
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in.Candidates = candidates
	t, err := a.Trackings.Create(r.Context(), org.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeCreated(w, map[string]any{"tracking": renderTrackingV4(t)})
}

func (a *API) listV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	q := r.URL.Query()
	f, err := listFilter(q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	page, err := queryInt(q, "page", 1, 1, 1_000_000)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	limit, err := queryInt(q, "limit", 100, 1, 200)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f.Limit, f.Offset = limit, (page-1)*limit
	res, err := a.Trackings.List(r.Context(), org.ID, f)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]any, len(res.Trackings))
	for i, t := range res.Trackings {
		out[i] = selectFields(renderTrackingV4(t), q.Get("fields"))
	}
	writeOK(w, map[string]any{
		"page": page, "limit": limit, "count": res.Total, "keyword": q.Get("keyword"), "slug": q.Get("slug"),
		"origin": list(f.Origins), "destination": list(f.Destinations), "tag": q.Get("tag"), "fields": q.Get("fields"),
		"created_at_min": q.Get("created_at_min"), "created_at_max": q.Get("created_at_max"),
		"return_to_sender": list(splitList(q.Get("return_to_sender"))), "trackings": out,
	})
}

func (a *API) getV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.lookupV4(r, org)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, map[string]any{"tracking": selectFields(renderTrackingV4(t), r.URL.Query().Get("fields"))})
}

func (a *API) updateV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	req, err := a.readTrackingV4(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cur, err := a.lookupV4(r, org)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	slug, _, err := parseSlug(req.Slug)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in := tracking.UpdateInput{Slug: slug, Fields: req.fields()}
	if cf, changed := req.courierFields(cur.CourierFields); changed {
		in.CourierFields = cf
	}
	t, err := a.Trackings.Update(r.Context(), org.ID, cur.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, map[string]any{"tracking": renderTrackingV4(t)})
}

// actV4 resolves the request's tracking (by id or slug and number) and
// runs act on it. On failure it has written the error and ok is false.
func (a *API) actV4(w http.ResponseWriter, r *http.Request, org waybill.Organization, act func(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)) (t waybill.Tracking, ok bool) {
	cur, err := a.lookupV4(r, org)
	if err == nil {
		t, err = act(r.Context(), org.ID, cur.ID)
	}
	if err != nil {
		a.writeError(w, r, err)
		return t, false
	}
	return t, true
}

func (a *API) deleteV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	if t, ok := a.actV4(w, r, org, a.Trackings.Delete); ok {
		writeOK(w, map[string]any{"tracking": renderTrackingV4(t)})
	}
}

func (a *API) retrackV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	if t, ok := a.actV4(w, r, org, a.Trackings.Retrack); ok {
		writeOK(w, map[string]any{"tracking": map[string]any{"id": t.ID, "slug": t.Slug, "tracking_number": t.TrackingNumber, "active": t.Active}})
	}
}

func (a *API) markCompletedV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := a.decode(w, r, &body); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, ok := a.actV4(w, r, org, func(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
		return a.Trackings.MarkCompleted(ctx, orgID, id, body.Reason)
	})
	if ok {
		writeOK(w, map[string]any{"tracking": renderTrackingV4(t)})
	}
}

func (a *API) lastCheckpointV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.lookupV4(r, org)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var last any // null until the first checkpoint
	if n := len(t.Checkpoints); n > 0 {
		last = selectFields(renderCheckpointV4(t.Checkpoints[n-1]), r.URL.Query().Get("fields"))
	}
	writeOK(w, map[string]any{
		"id": t.ID, "tracking_number": t.TrackingNumber, "slug": t.Slug, "tag": t.Tag, "subtag": t.Subtag,
		"subtag_message": waybill.SubtagMessage(t.Subtag), "checkpoint": last,
	})
}

func renderNotification(t waybill.Tracking) map[string]any {
	return map[string]any{"notification": map[string]any{"emails": list(t.Emails), "smses": list(t.Smses)}}
}

func (a *API) getNotificationsV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	t, err := a.lookupV4(r, org)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, renderNotification(t))
}

func (a *API) changeNotificationsV4(add bool) authed {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
		var body struct {
			Notification *struct {
				Emails []string `json:"emails"`
				Smses  []string `json:"smses"`
			} `json:"notification"`
		}
		if err := a.decode(w, r, &body); err != nil {
			a.writeError(w, r, err)
			return
		}
		if body.Notification == nil {
			a.writeError(w, r, waybill.Invalid(waybill.ReasonNotificationRequired, "notification object is required."))
			return
		}
		cur, err := a.lookupV4(r, org)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		n := tracking.Notifications{Emails: body.Notification.Emails, Smses: body.Notification.Smses}
		var t waybill.Tracking
		if add {
			t, err = a.Trackings.AddNotifications(r.Context(), org.ID, cur.ID, n)
		} else {
			t, err = a.Trackings.RemoveNotifications(r.Context(), org.ID, cur.ID, n)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeOK(w, renderNotification(t))
	}
}

func (a *API) couriersV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	cs, err := a.Trackings.Activated(r.Context(), org.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, renderCouriersV4(cs))
}

func (a *API) allCouriersV4(w http.ResponseWriter, r *http.Request, _ waybill.Organization) {
	writeOK(w, renderCouriersV4(courier.All()))
}

// detectRequestV4 is the tracking object of POST /couriers/detect.
type detectRequestV4 struct {
	TrackingNumber             *string  `json:"tracking_number"`
	Slug                       []string `json:"slug"`
	SlugGroup                  string   `json:"slug_group"`
	TrackingPostalCode         string   `json:"tracking_postal_code"`
	TrackingShipDate           string   `json:"tracking_ship_date"`
	TrackingAccountNumber      string   `json:"tracking_account_number"`
	TrackingKey                string   `json:"tracking_key"`
	TrackingOriginCountry      string   `json:"tracking_origin_country"`
	TrackingDestinationCountry string   `json:"tracking_destination_country"`
	TrackingState              string   `json:"tracking_state"`
}

func (a *API) detectV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	var body struct {
		Tracking json.RawMessage `json:"tracking"`
	}
	if err := a.decode(w, r, &body); err != nil {
		a.writeError(w, r, err)
		return
	}
	if len(body.Tracking) == 0 || string(body.Tracking) == "null" {
		a.writeError(w, r, waybill.Invalid(waybill.ReasonTrackingRequired, "tracking object is required."))
		return
	}
	var req detectRequestV4
	if err := unmarshalObject(body.Tracking, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	var number string
	if req.TrackingNumber != nil {
		number = *req.TrackingNumber
	}
	hints := courier.Hints{Slugs: req.Slug, PostalCode: req.TrackingPostalCode, ShipDate: req.TrackingShipDate,
		AccountNumber: req.TrackingAccountNumber, Key: req.TrackingKey, OriginCountry: req.TrackingOriginCountry,
		DestinationCountry: req.TrackingDestinationCountry, State: req.TrackingState}
	cands, err := a.Trackings.Detect(r.Context(), org.ID, number, req.SlugGroup, hints)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeOK(w, renderCandidatesV4(cands))
}
