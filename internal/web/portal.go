package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
)

// namedPortal is an organization's portal at /track/{org}.
func (h *Web) namedPortal(r *http.Request) (view, error) {
	p, err := h.Pages.PortalByName(r.Context(), r.PathValue("org"))
	if err != nil {
		return view{}, err
	}
	return portalView(r, p, "/track/"+url.PathEscape(r.PathValue("org"))), nil
}

// hostPortal is the portal at / of the organization whose custom host the
// request names.
func (h *Web) hostPortal(r *http.Request) (view, error) {
	p, err := h.Pages.PortalByHost(r.Context(), r.Host)
	if err != nil {
		return view{}, err
	}
	return portalView(r, p, "/"), nil
}

func (h *Web) namedLookup(r *http.Request) (view, error) {
	p, err := h.Pages.PortalByName(r.Context(), r.PathValue("org"))
	if err != nil {
		return view{}, err
	}
	return h.lookup(r, p, "/track/"+url.PathEscape(r.PathValue("org")))
}

func (h *Web) hostLookup(r *http.Request) (view, error) {
	p, err := h.Pages.PortalByHost(r.Context(), r.Host)
	if err != nil {
		return view{}, err
	}
	return h.lookup(r, p, "/")
}

func portalView(r *http.Request, p portal.Portal, self string) view {
	v := newView(r, p.Branding, p.OrgName, "")
	v.Kind, v.Title, v.LookupURL = "portal", v.L.T("title_portal"), self
	return v
}

// maxFormBytes bounds a lookup form; its three fields are short.
const maxFormBytes = 4 << 10

// lookup answers the portal's form: a tracking number shows its shipments
// without personal data; an order number with the order's email, phone or
// postal code shows the order. A failed lookup shows the form again with a
// message that does not say which half of a pair was wrong.
func (h *Web) lookup(r *http.Request, p portal.Portal, self string) (view, error) {
	v := portalView(r, p, self)
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		v.status, v.Message = http.StatusBadRequest, v.L.T("missing_fields")
		return v, nil
	}
	form := portal.LookupForm{
		TrackingNumber: strings.TrimSpace(r.PostForm.Get("tracking_number")),
		OrderNumber:    strings.TrimSpace(r.PostForm.Get("order_number")),
		Verify:         strings.TrimSpace(r.PostForm.Get("verify")),
	}
	v.Form = lookupForm{TrackingNumber: form.TrackingNumber, OrderNumber: form.OrderNumber}
	if form.Validate() != nil {
		v.status, v.Message = http.StatusBadRequest, v.L.T("missing_fields")
		return v, nil
	}
	if h.Lookups != nil && !h.Lookups.Allow(r) {
		v.status, v.Message = http.StatusTooManyRequests, v.L.T("rate_limited")
		return v, nil
	}
	page, err := h.Pages.Lookup(r.Context(), p.OrgID, form)
	switch waybill.ErrorCode(err) {
	case "":
	case waybill.ENOTFOUND, waybill.EINVALID:
		v.status, v.Message = http.StatusNotFound, v.L.T("not_found")
		if form.TrackingNumber == "" {
			v.Message = v.L.T("order_mismatch")
		}
		return v, nil
	default:
		return view{}, err
	}
	out := h.shipmentsView(r, page)
	out.PortalURL = self
	out.Title = out.L.T("title_results")
	if page.Order != nil {
		out.Title = out.L.T("title_order", page.Order.Number)
	}
	return out, nil
}
