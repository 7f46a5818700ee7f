package aftership

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// v4Headers are the key headers the legacy API accepts, in order.
var v4Headers = []string{"aftership-api-key", "as-api-key"}

// v4 guards a legacy handler. The legacy budget is per key: one bucket
// shared by every endpoint, as AfterShip's 10 requests/s per account.
func (a *API) v4(h handler) http.HandlerFunc {
	return a.guard(v4Headers, "v4", a.LegacyRate, a.writeErrorV4, h)
}

// v4Read guards a legacy read that may confirm a remembered key itself
// (authorizeRead); h serves it otherwise.
func (a *API) v4Read(fast readHandler, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.authorizeRead(w, r, v4Headers, "v4", a.LegacyRate, fast, h); err != nil {
			a.writeErrorV4(w, r, err)
		}
	}
}

// v4Claimed guards a legacy write that may confirm a remembered key in
// its own transaction (authorizeClaimed); h serves it otherwise.
func (a *API) v4Claimed(claimed claimedHandler, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.authorizeClaimed(w, r, v4Headers, "v4", a.LegacyRate, claimed, h); err != nil {
			a.writeErrorV4(w, r, err)
		}
	}
}

func (a *API) registerV4(mux *http.ServeMux) {
	a.renderedV4 = newRenderedV4s(renderedV4Max, renderedV4MaxBytes)
	mux.HandleFunc("POST /v4/trackings", a.v4Claimed(a.createV4AtKeyGeneration, a.createV4))
	mux.HandleFunc("GET /v4/trackings", a.v4(a.listV4))
	mux.HandleFunc("GET /v4/trackings/{id}", a.v4Read(a.getV4ByIDAtKeyGeneration, a.getV4))
	mux.HandleFunc("GET /v4/trackings/{slug}/{number}", a.v4(a.getV4))
	for _, p := range []string{"/v4/trackings/{id}", "/v4/trackings/{slug}/{number}"} {
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

func (a *API) createV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readCreateV4(w, r)
	if err != nil {
		return err
	}
	return a.createV4Input(w, r, org, in)
}

// createV4AtKeyGeneration is createV4 for a key remembered under key
// generation gen (claimedHandler): tracking.Service.CreateClaimed decides
// when the key must be authenticated and for which organization the
// create is made. A body that does not decode waits for authenticate too,
// so a revoked key gets 401, never a validation error.
func (a *API) createV4AtKeyGeneration(w http.ResponseWriter, r *http.Request, org waybill.Organization, gen int64, authenticate func() (waybill.Organization, error)) error {
	in, err := a.readCreateV4(w, r)
	if err != nil {
		if _, authErr := authenticate(); authErr != nil {
			return authErr
		}
		return err // the request's own error: the same for any organization
	}
	t, err := a.Trackings.CreateClaimed(r.Context(), org.ID, *in, gen, func() (int64, error) {
		authenticated, err := authenticate()
		return authenticated.ID, err
	})
	if err != nil {
		return err
	}
	writeCreatedV4(w, t)
	return nil
}

// readCreateV4 decodes and checks a v4 create's body.
func (a *API) readCreateV4(w http.ResponseWriter, r *http.Request) (*waybill.CreateTrackingInput, error) {
	req, err := a.readTrackingV4(w, r)
	if err != nil {
		return nil, err
	}
	in, err := req.createInput()
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// createV4Input creates in for org and writes the 201.
func (a *API) createV4Input(w http.ResponseWriter, r *http.Request, org waybill.Organization, in *waybill.CreateTrackingInput) error {
	t, err := a.Trackings.Create(r.Context(), org.ID, *in)
	if err != nil {
		return err
	}
	writeCreatedV4(w, t)
	return nil
}

// writeCreatedV4 writes a create's 201 with t: the envelope writeCreated
// would write, by appending (its reflection over the rendered map was
// most of the handler's own CPU).
func writeCreatedV4(w http.ResponseWriter, t waybill.Tracking) {
	writeTrackingV4(w, http.StatusCreated, meta{201, "", typeCreated}, t)
}

func (a *API) listV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	f, err := listFilter(q)
	if err != nil {
		return err
	}
	page, err := queryInt(q, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	limit, err := queryInt(q, "limit", 100, 1, 200)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = limit, (page-1)*limit
	res, err := a.Trackings.List(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	writeListV4(w, listPageV4{
		Page: page, Limit: limit, Count: res.Total, Keyword: q.Get("keyword"), Slug: q.Get("slug"), Tag: q.Get("tag"),
		Fields: q.Get("fields"), CreatedAtMin: q.Get("created_at_min"), CreatedAtMax: q.Get("created_at_max"),
		Origin: splitList(strings.ToUpper(q.Get("origin"))), Destination: splitList(strings.ToUpper(q.Get("destination"))),
		ReturnToSender: splitList(q.Get("return_to_sender")), Trackings: res.Trackings,
	})
	return nil
}

func (a *API) getV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.lookupV4(r, org)
	if err != nil {
		return err
	}
	writeTrackingV4Fields(w, t, r.URL.Query().Get("fields"))
	return nil
}

// getV4ByIDAtKeyGeneration is getV4 by id for a remembered key: one read
// of the tracking and the key generation (readHandler). Without fields it
// answers through the memo of rendered bodies (getV4Rendered).
func (a *API) getV4ByIDAtKeyGeneration(w http.ResponseWriter, r *http.Request, org waybill.Organization, gen int64) bool {
	fields := ""
	if r.URL.RawQuery != "" {
		fields = r.URL.Query().Get("fields")
	}
	if gets, ok := a.Trackings.(unlessSeenGets); ok && strings.TrimSpace(fields) == "" {
		return a.getV4Rendered(w, r, gets, org, gen)
	}
	t, readGen, err := a.Trackings.GetAtKeyGeneration(r.Context(), org.ID, r.PathValue("id"))
	if err != nil || readGen != gen {
		return false
	}
	writeTrackingV4Fields(w, t, fields)
	return true
}

func (a *API) updateV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	req, err := a.readTrackingV4(w, r)
	if err != nil {
		return err
	}
	cur, err := a.lookupV4(r, org)
	if err != nil {
		return err
	}
	slug, _, err := parseSlug(req.Slug)
	if err != nil {
		return err
	}
	in := waybill.UpdateTrackingInput{Slug: slug, Fields: req.fields()}
	if cf, changed := req.courierFields(cur.CourierFields); changed {
		in.Fields.CourierFields = cf
	}
	t, err := a.Trackings.Update(r.Context(), org.ID, cur.ID, in)
	if err != nil {
		return err
	}
	writeTrackingOKV4(w, t)
	return nil
}

// actV4 resolves the request's tracking (by id or slug and number) and
// runs act on it.
func (a *API) actV4(r *http.Request, org waybill.Organization, act func(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)) (waybill.Tracking, error) {
	cur, err := a.lookupV4(r, org)
	if err != nil {
		return cur, err
	}
	return act(r.Context(), org.ID, cur.ID)
}

func (a *API) deleteV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.actV4(r, org, a.Trackings.Delete)
	if err != nil {
		return err
	}
	writeTrackingOKV4(w, t)
	return nil
}

func (a *API) retrackV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.actV4(r, org, a.Trackings.Retrack)
	if err != nil {
		return err
	}
	writeOK(w, map[string]any{"tracking": map[string]any{"id": t.ID, "slug": t.Slug, "tracking_number": t.TrackingNumber, "active": t.Active}})
	return nil
}

func (a *API) markCompletedV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	t, err := a.actV4(r, org, func(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
		return a.Trackings.MarkCompleted(ctx, orgID, id, body.Reason)
	})
	if err != nil {
		return err
	}
	writeTrackingOKV4(w, t)
	return nil
}

func (a *API) lastCheckpointV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.lookupV4(r, org)
	if err != nil {
		return err
	}
	var last any // null until the first checkpoint
	if n := len(t.Checkpoints); n > 0 {
		last = selectFields(renderCheckpointV4(t.Checkpoints[n-1]), r.URL.Query().Get("fields"))
	}
	writeOK(w, map[string]any{
		"id": t.ID, "tracking_number": t.TrackingNumber, "slug": t.Slug, "tag": t.Tag, "subtag": t.Subtag,
		"subtag_message": waybill.SubtagMessage(t.Subtag), "checkpoint": last,
	})
	return nil
}

func renderNotification(t waybill.Tracking) map[string]any {
	return map[string]any{"notification": map[string]any{"emails": list(t.Emails), "smses": list(t.Smses)}}
}

func (a *API) getNotificationsV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	t, err := a.lookupV4(r, org)
	if err != nil {
		return err
	}
	writeOK(w, renderNotification(t))
	return nil
}

func (a *API) changeNotificationsV4(add bool) handler {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
		var body struct {
			Notification *struct {
				Emails []string `json:"emails"`
				Smses  []string `json:"smses"`
			} `json:"notification"`
		}
		if err := a.decode(w, r, &body); err != nil {
			return err
		}
		if body.Notification == nil {
			return waybill.Invalid(waybill.ReasonNotificationRequired, "notification object is required.")
		}
		cur, err := a.lookupV4(r, org)
		if err != nil {
			return err
		}
		n := waybill.TrackingNotifications{Emails: body.Notification.Emails, Smses: body.Notification.Smses}
		var t waybill.Tracking
		if add {
			t, err = a.Trackings.AddNotifications(r.Context(), org.ID, cur.ID, n)
		} else {
			t, err = a.Trackings.RemoveNotifications(r.Context(), org.ID, cur.ID, n)
		}
		if err != nil {
			return err
		}
		writeOK(w, renderNotification(t))
		return nil
	}
}

func (a *API) couriersV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	cs, err := a.Trackings.Activated(r.Context(), org.ID)
	if err != nil {
		return err
	}
	writeOK(w, renderCouriersV4(cs))
	return nil
}

func (a *API) allCouriersV4(w http.ResponseWriter, r *http.Request, _ waybill.Organization) error {
	writeOK(w, renderCouriersV4(courier.All()))
	return nil
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

func (a *API) detectV4(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var body struct {
		Tracking json.RawMessage `json:"tracking"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	if len(body.Tracking) == 0 || string(body.Tracking) == "null" {
		return waybill.Invalid(waybill.ReasonTrackingRequired, "tracking object is required.")
	}
	var req detectRequestV4
	if err := unmarshalObject(body.Tracking, &req); err != nil {
		return err
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
		return err
	}
	writeOK(w, renderCandidatesV4(cands))
	return nil
}
