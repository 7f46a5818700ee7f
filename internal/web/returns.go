package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/returns"
)

// Returns is what the shopper's return pages need from the core; every
// method decides what the visitor may see and do. returns.Service is one.
type Returns interface {
	FindOrder(ctx context.Context, ref returns.OrderRef, verify string) (returns.Order, error)
	Submit(ctx context.Context, ref returns.OrderRef, verify string, in returns.SubmitInput) (waybill.Return, error)
	ReturnPage(ctx context.Context, token string) (returns.Page, error)
	AddTracking(ctx context.Context, token, number, slug string) (waybill.Return, error)
}

var _ Returns = (*returns.Service)(nil)

// registerReturns adds the return pages (see returns.StartURL for the
// scheme).
func (h *Web) registerReturns(mux *http.ServeMux) {
	mux.HandleFunc("GET /t/{token}/return", h.handle(h.tokenReturnForm))
	mux.HandleFunc("POST /t/{token}/return", h.handle(h.tokenReturnItems))
	mux.HandleFunc("POST /t/{token}/return/new", h.handle(h.tokenReturnSubmit))
	mux.HandleFunc("GET /track/{org}/returns", h.handle(h.namedReturnForm))
	mux.HandleFunc("POST /track/{org}/returns", h.handle(h.namedReturnItems))
	mux.HandleFunc("POST /track/{org}/returns/new", h.handle(h.namedReturnSubmit))
	mux.HandleFunc("GET /returns", h.handle(h.hostReturnForm))
	mux.HandleFunc("POST /returns", h.handle(h.hostReturnItems))
	mux.HandleFunc("POST /returns/new", h.handle(h.hostReturnSubmit))
	mux.HandleFunc("GET /r/{token}", h.handle(h.returnPage))
	mux.HandleFunc("POST /r/{token}/tracking", h.handle(h.returnTracking))
}

// returnForm is what the return pages' forms carry.
type returnForm struct {
	Action      string // where the form posts
	ByToken     bool   // the order comes from a shipment's page: no order number asked
	OrderNumber string
	Verify      string // echoed back as a hidden field, so the shopper proves the order once
}

// returnView is the part of a view the return pages fill.
type returnView struct {
	Form     returnForm
	Order    *returns.Order
	Reasons  []reasonOption
	Return   *waybill.Return
	Page     *returns.Page
	Deadline string // YYYY-MM-DD
	Closed   string // why the order cannot be returned, translated
}

type reasonOption struct {
	Code, Label     string
	CommentRequired bool
}

// returnsSite is where one organization's return pages live: under
// /track/{org}, on its custom host, or under a shipment's page.
type returnsSite struct {
	ref      returns.OrderRef
	self     string // the lookup or start page
	submit   string
	branding waybill.Branding
	orgName  string
}

func (h *Web) namedSite(r *http.Request) (returnsSite, error) {
	p, err := h.Pages.PortalByName(r.Context(), r.PathValue("org"))
	if err != nil {
		return returnsSite{}, err
	}
	base := "/track/" + url.PathEscape(r.PathValue("org")) + "/returns"
	return returnsSite{ref: returns.OrderRef{OrgID: p.OrgID}, self: base, submit: base + "/new", branding: p.Branding, orgName: p.OrgName}, nil
}

func (h *Web) hostSite(r *http.Request) (returnsSite, error) {
	p, err := h.Pages.PortalByHost(r.Context(), r.Host)
	if err != nil {
		return returnsSite{}, err
	}
	return returnsSite{ref: returns.OrderRef{OrgID: p.OrgID}, self: "/returns", submit: "/returns/new", branding: p.Branding, orgName: p.OrgName}, nil
}

func (h *Web) tokenSite(r *http.Request) (returnsSite, error) {
	token := r.PathValue("token")
	p, err := h.Pages.TrackingPage(r.Context(), token)
	if err != nil {
		return returnsSite{}, err
	}
	base := "/t/" + url.PathEscape(token) + "/return"
	return returnsSite{ref: returns.OrderRef{Token: token}, self: base, submit: base + "/new", branding: p.Branding, orgName: p.OrgName}, nil
}

func (h *Web) namedReturnForm(r *http.Request) (view, error)   { return h.returnForm(r, h.namedSite) }
func (h *Web) hostReturnForm(r *http.Request) (view, error)    { return h.returnForm(r, h.hostSite) }
func (h *Web) tokenReturnForm(r *http.Request) (view, error)   { return h.returnForm(r, h.tokenSite) }
func (h *Web) namedReturnItems(r *http.Request) (view, error)  { return h.returnItems(r, h.namedSite) }
func (h *Web) hostReturnItems(r *http.Request) (view, error)   { return h.returnItems(r, h.hostSite) }
func (h *Web) tokenReturnItems(r *http.Request) (view, error)  { return h.returnItems(r, h.tokenSite) }
func (h *Web) namedReturnSubmit(r *http.Request) (view, error) { return h.returnSubmit(r, h.namedSite) }
func (h *Web) hostReturnSubmit(r *http.Request) (view, error)  { return h.returnSubmit(r, h.hostSite) }
func (h *Web) tokenReturnSubmit(r *http.Request) (view, error) { return h.returnSubmit(r, h.tokenSite) }

// lookupView is the returns lookup: order number (unless the shopper came
// from a shipment's page) and the email or postal code of the order.
func lookupView(r *http.Request, site returnsSite) view {
	v := newView(r, site.branding, site.orgName, "")
	v.Kind, v.Title = "return_lookup", v.L.T("title_return_start")
	v.Ret.Form = returnForm{Action: site.self, ByToken: site.ref.Token != ""}
	return v
}

func (h *Web) returnForm(r *http.Request, siteOf func(*http.Request) (returnsSite, error)) (view, error) {
	site, err := siteOf(r)
	if err != nil {
		return view{}, err
	}
	return lookupView(r, site), nil
}

// readForm parses a return form of at most maxReturnFormBytes; false when
// it cannot be read.
func readForm(r *http.Request) bool {
	r.Body = http.MaxBytesReader(nil, r.Body, maxReturnFormBytes)
	return r.ParseForm() == nil
}

// maxReturnFormBytes bounds a return form: up to 100 lines with comments.
const maxReturnFormBytes = 256 << 10

// findOrder proves the order from the form's order number and verify,
// counting the attempt against the client's lookup budget. A failed
// proof shows the lookup form again with one message for either half.
func (h *Web) findOrder(r *http.Request, site returnsSite) (returns.Order, view, bool, error) {
	v := lookupView(r, site)
	if !readForm(r) {
		v.status, v.Message = http.StatusBadRequest, v.L.T("return_missing_fields")
		return returns.Order{}, v, false, nil
	}
	ref := site.ref
	if ref.Token == "" {
		ref.OrderNumber = strings.TrimSpace(r.PostForm.Get("order_number"))
	}
	verify := strings.TrimSpace(r.PostForm.Get("verify"))
	v.Ret.Form.OrderNumber = ref.OrderNumber
	if (ref.Token == "" && ref.OrderNumber == "") || verify == "" || len(ref.OrderNumber) > 100 || len(verify) > 200 {
		v.status, v.Message = http.StatusBadRequest, v.L.T("return_missing_fields")
		return returns.Order{}, v, false, nil
	}
	if h.Lookups != nil && !h.Lookups.Allow(r) {
		v.status, v.Message = http.StatusTooManyRequests, v.L.T("rate_limited")
		return returns.Order{}, v, false, nil
	}
	o, err := h.Returns.FindOrder(r.Context(), ref, verify)
	switch waybill.ErrorCode(err) {
	case "":
	case waybill.ENOTFOUND, waybill.EINVALID:
		v.status, v.Message = http.StatusNotFound, v.L.T("order_mismatch")
		return returns.Order{}, v, false, nil
	default:
		return returns.Order{}, view{}, false, err
	}
	v.Ret.Form.OrderNumber, v.Ret.Form.Verify = ref.OrderNumber, verify
	return o, v, true, nil
}

// itemsView is the form of the order's returnable items.
func itemsView(r *http.Request, site returnsSite, o returns.Order, form returnForm) view {
	v := newView(r, o.Branding, o.OrgName, "")
	v.Kind, v.Title = "return_items", v.L.T("title_return_items", o.Number)
	form.Action = site.submit
	v.Ret.Form, v.Ret.Order = form, &o
	for _, rs := range o.Settings.Reasons {
		v.Ret.Reasons = append(v.Ret.Reasons, reasonOption{Code: rs.Code, Label: rs.LabelIn(v.Lang), CommentRequired: rs.CommentRequired})
	}
	if !o.Open {
		v.Ret.Closed = v.L.T("closed_" + o.Closed)
		if o.Closed == returns.ClosedWindow {
			v.Ret.Closed = v.L.T("closed_window_passed", v.L.Date(o.Deadline.Format("2006-01-02")))
		}
	}
	if !o.Deadline.IsZero() && o.Open {
		v.Ret.Deadline = o.Deadline.Format("2006-01-02")
	}
	return v
}

func (h *Web) returnItems(r *http.Request, siteOf func(*http.Request) (returnsSite, error)) (view, error) {
	site, err := siteOf(r)
	if err != nil {
		return view{}, err
	}
	o, v, ok, err := h.findOrder(r, site)
	if err != nil || !ok {
		return v, err
	}
	return itemsView(r, site, o, v.Ret.Form), nil
}

// returnSubmit reads the items form and starts the return: the
// confirmation page, or the form again with what to fix.
func (h *Web) returnSubmit(r *http.Request, siteOf func(*http.Request) (returnsSite, error)) (view, error) {
	site, err := siteOf(r)
	if err != nil {
		return view{}, err
	}
	o, v, ok, err := h.findOrder(r, site)
	if err != nil || !ok {
		return v, err
	}
	in := returns.SubmitInput{Language: v.Lang}
	for i := range min(len(o.Items), waybill.MaxReturnLines) {
		n := strconv.Itoa(i)
		qty, err := strconv.Atoi(r.PostForm.Get("qty_" + n))
		if err != nil || qty == 0 {
			continue
		}
		in.Lines = append(in.Lines, returns.LineInput{ID: r.PostForm.Get("id_" + n), Quantity: qty, Reason: r.PostForm.Get("reason_" + n),
			Comment: r.PostForm.Get("comment_" + n), Resolution: waybill.Resolution(r.PostForm.Get("resolution_" + n))})
	}
	ret, err := h.Returns.Submit(r.Context(), site.ref.WithNumber(v.Ret.Form.OrderNumber), v.Ret.Form.Verify, in)
	if err != nil {
		code := waybill.ErrorCode(err)
		if code != waybill.EINVALID && code != waybill.ECONFLICT && code != waybill.ENOTFOUND {
			return view{}, err
		}
		if o, err = h.Returns.FindOrder(r.Context(), site.ref.WithNumber(v.Ret.Form.OrderNumber), v.Ret.Form.Verify); err != nil {
			return view{}, err
		}
		out := itemsView(r, site, o, v.Ret.Form)
		out.status = http.StatusUnprocessableEntity
		switch waybill.ErrorReason(err) {
		case waybill.ReasonOverQuantity:
			out.Message = out.L.T("return_over_quantity")
		default:
			out.Message = waybill.ErrorMessage(err)
		}
		if len(in.Lines) == 0 {
			out.Message = out.L.T("return_choose_items")
		}
		return out, nil
	}
	p, err := h.Returns.ReturnPage(r.Context(), ret.PageToken)
	if err != nil {
		return view{}, err
	}
	out := returnPageView(r, p)
	out.Title = out.L.T("title_return_done")
	return out, nil
}

func returnPageView(r *http.Request, p returns.Page) view {
	v := newView(r, p.Branding, p.OrgName, p.Return.Language)
	v.Kind, v.Title = "return", v.L.T("title_return", p.Return.RMA)
	v.Ret.Return, v.Ret.Page = &p.Return, &p
	v.Ret.Form.Action = "/r/" + url.PathEscape(p.Return.PageToken) + "/tracking"
	return v
}

// returnPage is the shopper's page of one return: its status, what to do
// next, and the return parcel.
func (h *Web) returnPage(r *http.Request) (view, error) {
	p, err := h.Returns.ReturnPage(r.Context(), r.PathValue("token"))
	if err != nil {
		return view{}, err
	}
	return returnPageView(r, p), nil
}

// returnTracking records the return parcel's tracking number the shopper
// entered, then shows the return's page again.
func (h *Web) returnTracking(r *http.Request) (view, error) {
	token := r.PathValue("token")
	p, err := h.Returns.ReturnPage(r.Context(), token)
	if err != nil {
		return view{}, err
	}
	v := returnPageView(r, p)
	if !readForm(r) {
		v.status, v.Message = http.StatusBadRequest, v.L.T("parcel_invalid")
		return v, nil
	}
	_, err = h.Returns.AddTracking(r.Context(), token, r.PostForm.Get("tracking_number"), r.PostForm.Get("slug"))
	switch waybill.ErrorCode(err) {
	case "":
	case waybill.EINVALID, waybill.ECONFLICT:
		v.status, v.Message = http.StatusUnprocessableEntity, v.L.T("parcel_invalid")
		return v, nil
	default:
		return view{}, err
	}
	if p, err = h.Returns.ReturnPage(r.Context(), token); err != nil {
		return view{}, err
	}
	return returnPageView(r, p), nil
}
