package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/returns"
)

// Returns is what /v1/returns needs from the core; returns.Service is one.
type Returns interface {
	Settings(ctx context.Context, orgID int64) (waybill.ReturnSettings, error)
	UpdateSettings(ctx context.Context, orgID int64, p waybill.ReturnSettingsPatch) (waybill.ReturnSettings, error)
	List(ctx context.Context, orgID int64, f waybill.ReturnFilter) ([]waybill.Return, error)
	Get(ctx context.Context, orgID int64, id string) (waybill.Return, error)
	Approve(ctx context.Context, orgID int64, id string, in returns.ApproveInput) (waybill.Return, error)
	Reject(ctx context.Context, orgID int64, id, reason string) (waybill.Return, error)
	Receive(ctx context.Context, orgID int64, id string, lines []returns.Received) (waybill.Return, error)
	Resolve(ctx context.Context, orgID int64, id, note string) (waybill.Return, error)
}

var _ Returns = (*returns.Service)(nil)

func (a *API) registerReturns(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/returns/settings", a.handle(a.getReturnSettings))
	mux.HandleFunc("PATCH /v1/returns/settings", a.handle(a.updateReturnSettings))
	mux.HandleFunc("GET /v1/returns", a.handle(a.listReturns))
	mux.HandleFunc("GET /v1/returns/{id}", a.handle(a.getReturn))
	mux.HandleFunc("POST /v1/returns/{id}/approve", a.handle(a.approveReturn))
	mux.HandleFunc("POST /v1/returns/{id}/reject", a.handle(a.rejectReturn))
	mux.HandleFunc("POST /v1/returns/{id}/receive", a.handle(a.receiveReturn))
	mux.HandleFunc("POST /v1/returns/{id}/resolve", a.handle(a.resolveReturn))
}

// returnJSON is the wire form of a return, in GET /v1/returns/{id} and in
// every return.* webhook.
type returnJSON struct {
	ID                   string           `json:"id"`
	RMA                  string           `json:"rma"`
	Status               string           `json:"status"`
	OrderNumber          string           `json:"order_number"`
	OrderID              string           `json:"order_id"`
	TrackingID           string           `json:"tracking_id"`
	CustomerEmail        string           `json:"customer_email"`
	Language             string           `json:"language"`
	Lines                []returnLineJSON `json:"lines"`
	RejectReason         string           `json:"reject_reason"`
	LabelURL             string           `json:"label_url"`
	ReturnTrackingID     string           `json:"return_tracking_id"`
	ReturnTrackingNumber string           `json:"return_tracking_number"`
	ReturnSlug           string           `json:"return_slug"`
	Note                 string           `json:"note"`
	CreatedAt            string           `json:"created_at"`
	UpdatedAt            string           `json:"updated_at"`
	ApprovedAt           *string          `json:"approved_at"`
	ShippedAt            *string          `json:"shipped_at"`
	ReceivedAt           *string          `json:"received_at"`
	ResolvedAt           *string          `json:"resolved_at"`
	ExpiresAt            *string          `json:"expires_at"`
}

type returnLineJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	SKU        string `json:"sku"`
	Quantity   int    `json:"quantity"`
	Received   int    `json:"received"`
	Reason     string `json:"reason"`
	Comment    string `json:"comment"`
	Resolution string `json:"resolution"`
}

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func renderReturn(r waybill.Return) returnJSON {
	out := returnJSON{ID: r.ID, RMA: r.RMA, Status: string(r.Status), OrderNumber: r.OrderNumber, OrderID: r.OrderID,
		TrackingID: r.TrackingID, CustomerEmail: r.Email, Language: r.Language, Lines: []returnLineJSON{},
		RejectReason: r.RejectReason, LabelURL: r.LabelURL, ReturnTrackingID: r.ReturnTrackingID,
		ReturnTrackingNumber: r.ReturnTrackingNumber, ReturnSlug: r.ReturnSlug, Note: r.Note,
		CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: r.UpdatedAt.UTC().Format(time.RFC3339),
		ApprovedAt: timeOrNull(r.ApprovedAt), ShippedAt: timeOrNull(r.ShippedAt), ReceivedAt: timeOrNull(r.ReceivedAt),
		ResolvedAt: timeOrNull(r.ResolvedAt)}
	if r.Status == waybill.ReturnApproved {
		out.ExpiresAt = timeOrNull(r.ExpiresAt)
	}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, returnLineJSON{ID: l.ID, Name: l.Name, SKU: l.SKU, Quantity: l.Quantity, Received: l.Received,
			Reason: l.Reason, Comment: l.Comment, Resolution: string(l.Resolution)})
	}
	return out
}

// ReturnPayload renders a return.* event as the body of its webhook:
// {"event", "event_id", "ts", "return": <the return as GET
// /v1/returns/{id} shows it>}.
func ReturnPayload(e waybill.Event) ([]byte, error) {
	if e.Return == nil {
		return nil, fmt.Errorf("event %s has no return", e.ID)
	}
	return json.Marshal(struct {
		Event   string     `json:"event"`
		EventID string     `json:"event_id"`
		TS      int64      `json:"ts"`
		Return  returnJSON `json:"return"`
	}{e.Type, e.ID, e.CreatedAt.Unix(), renderReturn(*e.Return)})
}

// returnReasonJSON is one reason in the settings.
type returnReasonJSON struct {
	Code            string            `json:"code"`
	Label           string            `json:"label"`
	Translations    map[string]string `json:"translations"`
	CommentRequired bool              `json:"comment_required"`
}

type returnSettingsJSON struct {
	Enabled        bool               `json:"enabled"`
	WindowDays     int                `json:"window_days"`
	BeforeDelivery bool               `json:"before_delivery"`
	ShipWithinDays int                `json:"ship_within_days"`
	Reasons        []returnReasonJSON `json:"reasons"`
	Resolutions    []string           `json:"resolutions"`
	AutoApprove    bool               `json:"auto_approve"`
	NonReturnable  []string           `json:"non_returnable"`
	ReturnAddress  string             `json:"return_address"`
	UpdatedAt      *string            `json:"updated_at"`
}

// returnSettingsPatch is a PATCH body: absent or null fields stay.
type returnSettingsPatch struct {
	Enabled        *bool               `json:"enabled"`
	WindowDays     *int                `json:"window_days"`
	BeforeDelivery *bool               `json:"before_delivery"`
	ShipWithinDays *int                `json:"ship_within_days"`
	Reasons        *[]returnReasonJSON `json:"reasons"`
	Resolutions    *[]string           `json:"resolutions"`
	AutoApprove    *bool               `json:"auto_approve"`
	NonReturnable  *[]string           `json:"non_returnable"`
	ReturnAddress  *string             `json:"return_address"`
}

func renderReturnSettings(s waybill.ReturnSettings) map[string]any {
	out := returnSettingsJSON{Enabled: s.Enabled, WindowDays: s.WindowDays, BeforeDelivery: s.BeforeDelivery,
		ShipWithinDays: s.ShipWithinDays, Reasons: []returnReasonJSON{}, Resolutions: []string{}, AutoApprove: s.AutoApprove,
		NonReturnable: append([]string{}, s.NonReturnable...), ReturnAddress: s.ReturnAddress, UpdatedAt: timeOrNull(s.UpdatedAt)}
	for _, r := range s.Reasons {
		tr := r.Translations
		if tr == nil {
			tr = map[string]string{}
		}
		out.Reasons = append(out.Reasons, returnReasonJSON{Code: r.Code, Label: r.Label, Translations: tr, CommentRequired: r.CommentRequired})
	}
	for _, r := range s.Resolutions {
		out.Resolutions = append(out.Resolutions, string(r))
	}
	return map[string]any{"settings": out}
}

func (a *API) getReturnSettings(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	s, err := a.Returns.Settings(r.Context(), org.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderReturnSettings(s))
}

func (a *API) updateReturnSettings(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req returnSettingsPatch
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	p := waybill.ReturnSettingsPatch{Enabled: req.Enabled, WindowDays: req.WindowDays, BeforeDelivery: req.BeforeDelivery,
		ShipWithinDays: req.ShipWithinDays, AutoApprove: req.AutoApprove, NonReturnable: req.NonReturnable, ReturnAddress: req.ReturnAddress}
	if req.Reasons != nil {
		reasons := make([]waybill.ReturnReason, 0, len(*req.Reasons))
		for _, rr := range *req.Reasons {
			reasons = append(reasons, waybill.ReturnReason{Code: rr.Code, Label: rr.Label, Translations: rr.Translations, CommentRequired: rr.CommentRequired})
		}
		p.Reasons = &reasons
	}
	if req.Resolutions != nil {
		res := make([]waybill.Resolution, 0, len(*req.Resolutions))
		for _, s := range *req.Resolutions {
			res = append(res, waybill.Resolution(s))
		}
		p.Resolutions = &res
	}
	s, err := a.Returns.UpdateSettings(r.Context(), org.ID, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderReturnSettings(s))
}

func (a *API) listReturns(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	f := waybill.ReturnFilter{Status: waybill.ReturnStatus(q.Get("status")), OrderNumber: q.Get("order_number")}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "since must be an RFC 3339 time, e.g. 2026-07-01T00:00:00Z.")
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "limit must be from 1 to 1000.")
		}
		f.Limit = n
	}
	rs, err := a.Returns.List(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	out := make([]returnJSON, 0, len(rs))
	for _, ret := range rs {
		out = append(out, renderReturn(ret))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"returns": out})
}

func (a *API) getReturn(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	ret, err := a.Returns.Get(r.Context(), org.ID, r.PathValue("id"))
	return a.writeReturn(w, ret, err)
}

func (a *API) writeReturn(w http.ResponseWriter, ret waybill.Return, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"return": renderReturn(ret)})
}

func (a *API) approveReturn(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req struct {
		LabelURL       string `json:"label_url"`
		TrackingNumber string `json:"tracking_number"`
		Slug           string `json:"slug"`
	}
	if err := a.decodeOptional(w, r, &req); err != nil {
		return err
	}
	ret, err := a.Returns.Approve(r.Context(), org.ID, r.PathValue("id"),
		returns.ApproveInput{LabelURL: req.LabelURL, TrackingNumber: req.TrackingNumber, Slug: req.Slug})
	return a.writeReturn(w, ret, err)
}

func (a *API) rejectReturn(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := a.decodeOptional(w, r, &req); err != nil {
		return err
	}
	ret, err := a.Returns.Reject(r.Context(), org.ID, r.PathValue("id"), req.Reason)
	return a.writeReturn(w, ret, err)
}

func (a *API) receiveReturn(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req struct {
		Lines []struct {
			ID       string `json:"id"`
			Quantity int    `json:"quantity"`
		} `json:"lines"`
	}
	if err := a.decodeOptional(w, r, &req); err != nil {
		return err
	}
	var lines []returns.Received
	for _, l := range req.Lines {
		lines = append(lines, returns.Received{LineID: l.ID, Quantity: l.Quantity})
	}
	ret, err := a.Returns.Receive(r.Context(), org.ID, r.PathValue("id"), lines)
	return a.writeReturn(w, ret, err)
}

func (a *API) resolveReturn(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req struct {
		Note string `json:"note"`
	}
	if err := a.decodeOptional(w, r, &req); err != nil {
		return err
	}
	ret, err := a.Returns.Resolve(r.Context(), org.ID, r.PathValue("id"), req.Note)
	return a.writeReturn(w, ret, err)
}
