package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/waybillhq/waybill/internal/memo"
	"github.com/waybillhq/waybill/internal/portal"
)

// renderedPage is a page ready to write: its body and the header values
// that depend on it. Once shared through renderedPages it is never changed.
type renderedPage struct {
	body []byte
	// Header values, each a one-element slice with no spare capacity, so
	// a handler that adds to one gets a copy instead of changing it.
	csp, etag, length []string
}

// The header values every page shares.
var (
	nosniffHeader    = headerValue("nosniff")
	noReferrerHeader = headerValue("no-referrer")
	htmlHeader       = headerValue("text/html; charset=utf-8")
	// private: a page may be about one person's order; no-cache: check
	// every time, so a new scan or new branding shows at the next view.
	revalidateHeader = headerValue("private, no-cache")
	noStoreHeader    = headerValue("no-store")
	selfImagesCSP    = headerValue(contentSecurityPolicy(""))
)

func headerValue(v string) []string { return []string{v}[:1:1] }

// contentSecurityPolicy is the policy of a page whose logo, if any, comes
// from logoOrigin.
func contentSecurityPolicy(logoOrigin string) string {
	img := "'self'"
	if logoOrigin != "" {
		img += " " + logoOrigin
	}
	return "default-src 'none'; style-src 'self'; img-src " + img +
		"; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// newRenderedPage wraps body (kept, not copied) with its headers; etagged
// computes its ETag.
func newRenderedPage(body []byte, logoOrigin string, etagged bool) *renderedPage {
	p := &renderedPage{body: body, csp: selfImagesCSP, length: headerValue(strconv.Itoa(len(body)))}
	if logoOrigin != "" {
		p.csp = headerValue(contentSecurityPolicy(logoOrigin))
	}
	if etagged {
		sum := sha256.Sum256(body)
		p.etag = headerValue(`"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`)
	}
	return p
}

// write answers with p and status, its security and caching headers
// included. With an ETag, a GET whose If-None-Match matches it is
// answered 304 without a body.
func (p *renderedPage) write(w http.ResponseWriter, r *http.Request, status int) {
	hd := w.Header()
	hd["Content-Security-Policy"] = p.csp
	hd["X-Content-Type-Options"] = nosniffHeader
	hd["Referrer-Policy"] = noReferrerHeader
	hd["Content-Type"] = htmlHeader
	// No Vary: Accept-Language, although the language follows it. A page
	// with an ETag is "private, no-cache" (every use is checked with us)
	// and its ETag is a hash of its bytes, so a copy in another language
	// never matches and is answered with the page in the language asked
	// for; other pages are "no-store". Without Vary the response has eight
	// headers with the server's X-Request-Id, which net/http's header map
	// holds in one group: a ninth grew it to a table, and net/http clones
	// the map at WriteHeader, about 3 % of a view's server CPU.
	if p.etag != nil {
		hd["Cache-Control"] = revalidateHeader
		hd["Etag"] = p.etag
		if etagMatch(r.Header.Get("If-None-Match"), p.etag[0]) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		hd["Cache-Control"] = noStoreHeader
	}
	// A known length spares the chunked encoding of a page larger than
	// net/http's buffer.
	hd["Content-Length"] = p.length
	w.WriteHeader(status)
	_, _ = w.Write(p.body)
}

// renderedKey names a page as the memo keeps it: its path (the token, and
// whether it is the order's page) and the request's Accept-Language, which
// with the data read decides the page's language.
type renderedKey struct {
	path, acceptLanguage string
}

// maxKeptAcceptLanguage bounds the Accept-Language of a request whose page
// is kept, so that the memo's keys stay small.
const maxKeptAcceptLanguage = 256

// renderedKeyOf returns the memo's key for r, and false when r's page is
// not to be kept.
func renderedKeyOf(r *http.Request) (renderedKey, bool) {
	accept := r.Header.Get("Accept-Language")
	if len(accept) > maxKeptAcceptLanguage || len(r.URL.Path) > 64 {
		return renderedKey{}, false
	}
	return renderedKey{path: r.URL.Path, acceptLanguage: accept}, true
}

// renderedPagesMax bounds the memo's entries: pages of a few checkpoints
// are about 10 kB, so about 10 MB.
const renderedPagesMax = 1024

// renderedPagesMaxBytes bounds the bodies the memo keeps in all, and
// maxKeptPageBytes one body: a large order page is rendered at each view
// rather than kept, and visitors varying their Accept-Language over pages
// of many checkpoints cannot make the memo hold more than this.
const (
	renderedPagesMaxBytes = 16 << 20
	maxKeptPageBytes      = 256 << 10
)

// renderedPages memoizes the rendered token pages, so that a page viewed
// again is not shaped into HTML and hashed again. An entry is used only
// for a view whose read returned exactly the data the entry was made
// from (portal.Page.Version, a fingerprint of every column the read
// returned): each view still reads the database, and any committed change,
// from whatever instance, gives a new Version and a fresh render. The page
// has no personal data (that needs a proven order, whose pages are never
// memoized). A nil *renderedPages keeps nothing.
type renderedPages = memo.Memo[renderedKey, portal.Version, *renderedPage]

// newRenderedPages keeps up to max pages of up to maxBytes of bodies in
// all, none over maxKeptPageBytes.
func newRenderedPages(max, maxBytes int) *renderedPages {
	return memo.New[renderedKey, portal.Version, *renderedPage](max, maxBytes, maxKeptPageBytes)
}
