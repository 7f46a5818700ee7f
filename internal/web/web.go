package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/portal"
)

// Pages is what the face needs from the core: pages by token, portals, and
// the lookup form. Every method decides what the visitor may see.
type Pages interface {
	TrackingPage(ctx context.Context, token string) (portal.Page, error)
	// TokenPage returns a token's page, or its order's (order set), and
	// answers only the Version (with Seen) when seen (which may be nil)
	// reports it: the face has that page rendered already.
	TokenPage(ctx context.Context, token string, order bool, seen func(portal.Version) bool) (portal.Page, error)
	PortalByHost(ctx context.Context, host string) (portal.Portal, error)
	PortalByName(ctx context.Context, name string) (portal.Portal, error)
	Lookup(ctx context.Context, orgID int64, form portal.LookupForm) (portal.Page, error)
}

var _ Pages = (*portal.Service)(nil)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"iso": func(t time.Time) string { return t.Format(time.RFC3339) },
	// upto lists 0 … n, the quantities a shopper may choose.
	"upto": func(n int) []int {
		out := make([]int, min(n, 100)+1)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"lines": func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") },
}).ParseFS(templateFS, "templates/*.html"))

// cssVersion changes whenever page.css does, so the stylesheet can be
// cached for a year.
var cssVersion = func() string {
	b, err := fs.ReadFile(assetFS, "assets/page.css")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}()

// Web serves the hosted tracking pages.
type Web struct {
	Pages  Pages
	Logger *slog.Logger
	// Lookups limits portal lookups per client address, so that order
	// numbers and contact details cannot be guessed at speed; nil allows all.
	Lookups *httpserver.ClientLimits
	// Returns serves the shopper's return pages; nil leaves them out.
	Returns Returns

	rendered *renderedPages // set by Register
}

// Register adds the page routes to mux. The portal at "/" answers only on
// an organization's custom host; anywhere else "/" is not found.
func (h *Web) Register(mux *http.ServeMux) {
	h.rendered = newRenderedPages(renderedPagesMax, renderedPagesMaxBytes)
	mux.HandleFunc("GET /t/{token}", h.tokenPage(false))
	mux.HandleFunc("GET /t/{token}/order", h.tokenPage(true))
	mux.HandleFunc("GET /track/{org}", h.handle(h.namedPortal))
	mux.HandleFunc("POST /track/{org}", h.handle(h.namedLookup))
	mux.HandleFunc("GET /{$}", h.handle(h.hostPortal))
	mux.HandleFunc("POST /{$}", h.handle(h.hostLookup))
	if h.Returns != nil {
		h.registerReturns(mux)
	}
	mux.HandleFunc("GET /assets/page.css", h.css)
	mux.HandleFunc("GET /assets/accent/{color}", h.accentCSS)
}

// view is what the layout template renders.
type view struct {
	Kind    string // shipments, portal, error
	Lang    string
	L       localizer
	Title   string
	Message string
	OrgName string

	LogoURL, SupportEmail, SupportURL string
	CSS, AccentCSS                    string

	Order     *portal.Order
	Shipments []portal.Shipment
	PortalURL string // a link back to the portal, when known

	LookupURL string
	Form      lookupForm

	// ReturnsOn shows "Start a return" on delivered shipments.
	ReturnsOn bool
	Ret       returnView

	status  int
	logo    string         // the logo's origin, for the Content-Security-Policy
	version portal.Version // of the data shown; non-zero: the render may be reused
}

type lookupForm struct {
	TrackingNumber, OrderNumber string
}

// newView fills what every page shares from the organization's branding.
func newView(r *http.Request, b waybill.Branding, orgName, trackingLang string) view {
	lang := pickLanguage(r, trackingLang, b.Language)
	v := view{Lang: lang, L: localizer{lang}, OrgName: orgName, SupportEmail: b.SupportEmail, SupportURL: b.SupportURL,
		CSS: "/assets/page.css?v=" + cssVersion, status: http.StatusOK}
	if b.LogoURL != "" {
		if u, err := url.Parse(b.LogoURL); err == nil && u.Scheme == "https" && u.Host != "" {
			v.LogoURL, v.logo = b.LogoURL, "https://"+u.Host
		}
	}
	if c := strings.TrimPrefix(b.AccentColor, "#"); c != b.AccentColor && len(c) == 6 {
		v.AccentCSS = "/assets/accent/" + strings.ToLower(c) + ".css"
	}
	return v
}

// handle runs a page handler and renders what it returns, or its error as
// a page in the visitor's language.
func (h *Web) handle(fn func(r *http.Request) (view, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			v = h.errorView(r, err)
		}
		h.render(w, r, v)
	}
}

func (h *Web) errorView(r *http.Request, err error) view {
	v := newView(r, waybill.Branding{}, "Waybill", "")
	v.Kind = "error"
	switch waybill.ErrorCode(err) {
	case waybill.ENOTFOUND, waybill.EINVALID:
		v.status, v.Title = http.StatusNotFound, v.L.T("page_not_found")
	default:
		h.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		v.status, v.Title = http.StatusInternalServerError, "Error"
	}
	return v
}

// render writes the page with its security and caching headers. A GET of
// an unchanged page with a matching If-None-Match is answered 304. A token
// page (one with a Version) is kept in h.rendered for the next view of
// the same data.
func (h *Web) render(w http.ResponseWriter, r *http.Request, v view) {
	bp := renderBuffers.Get().(*[]byte)
	defer putRenderBuffer(bp)
	page, err := renderPage((*bp)[:0], &v)
	*bp = page
	if err != nil {
		h.Logger.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	etagged := r.Method == http.MethodGet && v.status == http.StatusOK
	key, memo := renderedKeyOf(r)
	memo = memo && etagged && v.version != (portal.Version{})
	if memo {
		page = bytes.Clone(page) // the buffer goes back to the pool
	}
	p := newRenderedPage(page, v.logo, etagged)
	if memo {
		h.rendered.Put(key, v.version, p, len(p.body))
	}
	p.write(w, r, v.status)
}

// renderPage appends the page of v to b: shipments and error pages by the
// hand-written renderer (appendPage), the others by the templates.
func renderPage(b []byte, v *view) ([]byte, error) {
	if out, ok := appendPage(b, v); ok {
		return out, nil
	}
	buf := bytes.NewBuffer(b)
	err := templates.ExecuteTemplate(buf, "layout", *v)
	return buf.Bytes(), err
}

// renderBuffers keeps the buffers pages are rendered into: growing a fresh
// buffer to a page's size was a quarter of the bytes a view allocated.
var renderBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func putRenderBuffer(bp *[]byte) {
	if cap(*bp) > 256<<10 { // let an unusually large page's buffer go
		return
	}
	*bp = (*bp)[:0]
	renderBuffers.Put(bp)
}

func etagMatch(header, etag string) bool {
	if header == "" { // most views: no Split, which allocates
		return false
	}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}

// tokenPage serves a token's page (the order's with order set): from
// h.rendered when the read returned the very data a kept page was
// rendered from, else rendered afresh.
func (h *Web) tokenPage(order bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var kept *renderedPage
		var seen func(portal.Version) bool
		if key, ok := renderedKeyOf(r); ok && r.Method == http.MethodGet {
			seen = func(v portal.Version) bool {
				kept, _ = h.rendered.Get(key, v)
				return kept != nil
			}
		}
		p, err := h.Pages.TokenPage(r.Context(), r.PathValue("token"), order, seen)
		if err == nil && p.Seen && kept != nil {
			kept.write(w, r, http.StatusOK)
			return
		}
		var v view
		if err != nil {
			v = h.errorView(r, err)
		} else {
			v = h.shipmentsView(r, p)
			v.Title = v.L.T("title_shipment")
			if p.Order != nil {
				v.Title = v.L.T("title_order", p.Order.Number)
			}
		}
		h.render(w, r, v)
	}
}

func (h *Web) shipmentsView(r *http.Request, p portal.Page) view {
	v := newView(r, p.Branding, p.OrgName, p.Language)
	v.Kind, v.Order, v.Shipments = "shipments", p.Order, p.Shipments
	v.version = p.Version
	v.ReturnsOn = h.Returns != nil
	return v
}

// css serves the stylesheet; its URL carries its version, so it is cached.
func (h *Web) css(w http.ResponseWriter, r *http.Request) {
	b, _ := fs.ReadFile(assetFS, "assets/page.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// accentCSS serves the one rule an organization's accent colour needs, so
// pages need no inline style and the policy can forbid them.
func (h *Web) accentCSS(w http.ResponseWriter, r *http.Request) {
	c, ok := strings.CutSuffix(r.PathValue("color"), ".css")
	if !ok || len(c) != 6 || strings.Trim(c, "0123456789abcdef") != "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(":root { --accent: #" + c + "; }\n"))
}

// PathPrefixes are the paths whose handler panics the face answers
// (httpserver.InternalErrorWriter). The custom host's "/" is left to the
// server's default answer.
func (h *Web) PathPrefixes() []string {
	return []string{"/t/", "/track/", "/assets/", "/r/", "/returns"}
}

// WriteInternalError answers a request whose handler panicked with a plain
// page in the face's own form.
func (h *Web) WriteInternalError(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title></head>" +
		"<body><main><h1>Something went wrong on our side.</h1><p>Please try again in a moment.</p></main></body></html>\n"))
}
