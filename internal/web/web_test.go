package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/web"
)

func TestPageCachingAndPolicy(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			tr := s.insert(customer(goldenStates[1].tr))
			resp, body := s.get("/t/" + tr.PageToken)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "style-src 'self'", "img-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(body, "<script") || strings.Contains(body, "style=") {
				t.Error("the page needs inline code or style")
			}
			if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q: the token would leak to the courier's site", got)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" || resp.Header.Get("Cache-Control") != "private, no-cache" {
				t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
			}
			// Exactly these headers (net/http adds Date, the server
			// X-Request-Id): eight fit net/http's header map unsplit.
			var names []string
			for name := range resp.Header {
				if name != "Date" {
					names = append(names, name)
				}
			}
			slices.Sort(names)
			if diff := cmp.Diff([]string{"Cache-Control", "Content-Length", "Content-Security-Policy", "Content-Type", "Etag",
				"Referrer-Policy", "X-Content-Type-Options"}, names); diff != "" {
				t.Errorf("page headers mismatch (-want +got):\n%s", diff)
			}
			resp, body = s.get("/t/"+tr.PageToken, "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("reload of an unchanged page: status %d, %d bytes; want 304, none", resp.StatusCode, len(body))
			}
			// No Vary: a copy kept in another language is checked with
			// its ETag, which the page in the language asked for lacks.
			resp, body = s.get("/t/"+tr.PageToken, "If-None-Match", etag, "Accept-Language", "de")
			if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="de">`) || resp.Header.Get("ETag") == etag {
				t.Errorf("an English copy revalidated in German: status %d, new ETag %v", resp.StatusCode, resp.Header.Get("ETag") != etag)
			}
			if resp, _ = s.get("/t/"+tr.PageToken, "If-None-Match", resp.Header.Get("ETag"), "Accept-Language", "de"); resp.StatusCode != http.StatusNotModified {
				t.Errorf("the German copy revalidated in German: status %d; want 304", resp.StatusCode)
			}

			// A new scan changes the page.
			tr.Tag, tr.Subtag = waybill.TagOutForDelivery, "OutForDelivery_001"
			tr.Checkpoints = append(tr.Checkpoints, cp(4, 8, waybill.TagOutForDelivery, "OutForDelivery_001", "With driver", "London", "GBR"))
			if err := s.st.Write().UpdateTracking(context.Background(), &tr); err != nil {
				t.Fatal(err)
			}
			resp, body = s.get("/t/"+tr.PageToken, "If-None-Match", etag)
			if resp.StatusCode != 200 || !strings.Contains(body, "With driver") || resp.Header.Get("ETag") == etag {
				t.Errorf("after a new scan: status %d, new ETag %v", resp.StatusCode, resp.Header.Get("ETag") != etag)
			}
			etag = resp.Header.Get("ETag")

			// New branding changes the next view, logo origin included in
			// the policy and nothing else third-party.
			s.brand(waybill.BrandingPatch{DisplayName: sp("Acme Outdoor"), LogoURL: sp("https://cdn.acme.example/logo.png"), AccentColor: sp("#AA3300")})
			resp, body = s.get("/t/"+tr.PageToken, "If-None-Match", etag)
			if resp.StatusCode != 200 || !strings.Contains(body, `alt="Acme Outdoor"`) || !strings.Contains(body, "/assets/accent/aa3300.css") {
				t.Errorf("after rebranding: status %d\n%s", resp.StatusCode, body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' https://cdn.acme.example;") {
				t.Errorf("policy %q does not allow exactly the logo's origin", csp)
			}
			resp, css := s.get("/assets/accent/aa3300.css")
			if resp.StatusCode != 200 || !strings.Contains(css, "--accent: #aa3300") {
				t.Errorf("accent stylesheet: %d %q", resp.StatusCode, css)
			}
			if resp, _ := s.get("/assets/accent/aa3300;}body{display:none.css"); resp.StatusCode != 404 {
				t.Errorf("accent stylesheet accepted a non-colour: %d", resp.StatusCode)
			}
		})
	}
}

func TestUnknownPages(t *testing.T) {
	s := newSite(t, "sqlite")
	tr := s.insert(goldenStates[0].tr)
	for _, path := range []string{"/t/aaaaaaaaaaaaaaaaaaaaaaaaaa", "/t/" + tr.ID, "/t/" + tr.TrackingNumber, "/t/%27%3B--", "/track/nobody", "/"} {
		resp, body := s.get(path, "Accept-Language", "de")
		if resp.StatusCode != 404 || !strings.Contains(body, "Diese Sendungsseite gibt es nicht.") || !strings.Contains(body, `lang="de"`) {
			t.Errorf("GET %s: status %d, want a German 404 page", path, resp.StatusCode)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	s := newSite(t, "sqlite")
	plain := s.insert(goldenStates[1].tr)
	german := goldenStates[2].tr
	german.Language = "de"
	german = s.insert(german)
	for _, tt := range []struct {
		token, accept, want, text string
	}{
		{german.PageToken, "fr", "de", "Zugestellt"},                     // the tracking's language first
		{plain.PageToken, "fr-CA,fr;q=0.9,en;q=0.5", "fr", "En transit"}, // then Accept-Language
		{plain.PageToken, "es", "es", "En tránsito"},
		{plain.PageToken, "ja", "en", "In transit"}, // unsupported: English
	} {
		_, body := s.get("/t/"+tt.token, "Accept-Language", tt.accept)
		if !strings.Contains(body, `<html lang="`+tt.want+`">`) || !strings.Contains(body, tt.text) {
			t.Errorf("Accept-Language %q: want lang %s with %q", tt.accept, tt.want, tt.text)
		}
		if !strings.Contains(body, "Arrived at facility") && tt.token == plain.PageToken {
			t.Errorf("Accept-Language %q: the carrier's message is not shown as received", tt.accept)
		}
	}
	s.brand(waybill.BrandingPatch{Language: sp("es")})
	if _, body := s.get("/t/"+plain.PageToken, "Accept-Language", "ja"); !strings.Contains(body, `lang="es"`) {
		t.Error("an unsupported Accept-Language does not fall back to the organization's default")
	}
}

func TestCatalogComplete(t *testing.T) {
	for lang, texts := range web.CatalogForTest() {
		for key := range web.CatalogForTest()["en"] {
			if texts[key] == "" {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
	}
}

func TestPortalLookups(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			a := customer(goldenStates[1].tr)
			a.OrderID, a.OrderNumber = "ORD-1", "#1001"
			s.insert(a)
			b := goldenStates[2].tr
			b.OrderID, b.OrderNumber = "ORD-1", "#1001"
			s.insert(b)

			resp, body := s.get("/track/acme")
			if resp.StatusCode != 200 {
				t.Fatalf("portal: %d", resp.StatusCode)
			}
			for _, field := range []string{"tracking_number", "order_number", "verify"} {
				if !strings.Contains(body, `<label for="`+field+`">`) || !strings.Contains(body, `name="`+field+`"`) {
					t.Errorf("portal form lacks a labelled %s field", field)
				}
			}

			resp, body = s.post("/track/acme", url.Values{"tracking_number": {"1z999aa1 0123456785"}})
			if resp.StatusCode != 200 || !strings.Contains(body, "1Z999AA10123456785") {
				t.Fatalf("lookup by number: %d\n%s", resp.StatusCode, body)
			}
			for _, p := range personal {
				if strings.Contains(body, p) {
					t.Errorf("lookup by number shows %q", p)
				}
			}

			for _, proof := range []string{"ann.smithson@example.com", "NW1 6XE"} {
				resp, body = s.post("/track/acme", url.Values{"order_number": {"#1001"}, "verify": {proof}})
				if resp.StatusCode != 200 || !strings.Contains(body, "Order #1001") || !strings.Contains(body, "Shipment 2 of 2") ||
					!strings.Contains(body, "Ann Smithson") {
					t.Errorf("lookup by order and %q: %d\n%s", proof, resp.StatusCode, body)
				}
			}

			var wrong []string
			for _, pair := range [][2]string{{"#1001", "bob@example.com"}, {"#1002", "ann.smithson@example.com"}} {
				resp, body = s.post("/track/acme", url.Values{"order_number": {pair[0]}, "verify": {pair[1]}})
				if resp.StatusCode != 404 || !strings.Contains(body, "Check both and try again.") || strings.Contains(body, "Ann Smithson") {
					t.Errorf("wrong pair %v: %d", pair, resp.StatusCode)
				}
				wrong = append(wrong, body)
			}
			if wrong[0] != strings.Replace(wrong[1], "#1002", "#1001", 1) {
				t.Error("a wrong email and a wrong order number answer differently")
			}

			// The limiter allows a burst of 5 per address in this site.
			resp, body = s.post("/track/acme", url.Values{"tracking_number": {"1Z999AA10123456785"}})
			if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
				t.Errorf("sixth lookup: %d, want 429", resp.StatusCode)
			}
		})
	}
}

func TestCustomHost(t *testing.T) {
	s := newSite(t, "sqlite")
	s.brand(waybill.BrandingPatch{CustomHost: sp("track.acme.example"), DisplayName: sp("Acme Outdoor")})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	req.Host = "track.acme.example"
	resp, body := s.do(req)
	if resp.StatusCode != 200 || !strings.Contains(body, "Acme Outdoor") || !strings.Contains(body, `action="/"`) {
		t.Errorf("custom host portal: %d\n%s", resp.StatusCode, body)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/", nil)
	req.Host = "elsewhere.example"
	if resp, _ := s.do(req); resp.StatusCode != 404 {
		t.Errorf("unknown host: %d, want 404", resp.StatusCode)
	}
}

// TestKeptPagesFollowTheData views token pages again and again around
// changes: a page kept from an earlier view is served only while the read
// returns the same data, in the language the request asks for, and every
// committed change (a scan, branding, another shipment of the order) shows
// at the next view.
func TestKeptPagesFollowTheData(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			tr := goldenStates[1].tr
			tr.OrderID, tr.OrderNumber = "O-7", "#7"
			tr = s.insert(customer(tr))
			path := "/t/" + tr.PageToken

			view := func(path, accept string) (*http.Response, string) {
				t.Helper()
				resp, body := s.get(path, "Accept-Language", accept)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", path, resp.StatusCode)
				}
				for _, p := range personal {
					if strings.Contains(body, p) {
						t.Errorf("%s shows %q", path, p)
					}
				}
				return resp, body
			}
			resp1, en1 := view(path, "en")
			resp2, en2 := view(path, "en")
			if en1 != en2 || resp1.Header.Get("ETag") != resp2.Header.Get("ETag") || resp1.Header.Get("Content-Security-Policy") != resp2.Header.Get("Content-Security-Policy") {
				t.Error("a second view of unchanged data differs")
			}
			if resp2.Header.Get("Content-Length") == "" || resp2.Header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("headers of a kept page: %v", resp2.Header)
			}
			if _, de := view(path, "de"); !strings.Contains(de, `<html lang="de">`) {
				t.Error("German was asked for after an English view and not given")
			}
			if _, en := view(path, "en"); en != en1 {
				t.Error("English after German differs from the first English view")
			}

			// A scan committed after the views shows at the next one.
			tr.Checkpoints = append(tr.Checkpoints, cp(4, 8, waybill.TagOutForDelivery, "OutForDelivery_001", "With driver", "London", "GBR"))
			tr.Tag, tr.Subtag = waybill.TagOutForDelivery, "OutForDelivery_001"
			if err := s.st.Write().UpdateTracking(context.Background(), &tr); err != nil {
				t.Fatal(err)
			}
			if _, body := view(path, "en"); !strings.Contains(body, "With driver") {
				t.Error("a committed scan did not show at the next view")
			}
			if _, body := view(path, "de"); !strings.Contains(body, "With driver") {
				t.Error("a committed scan did not show at the next German view")
			}

			// New branding.
			s.brand(waybill.BrandingPatch{DisplayName: sp("Acme Outdoor"), LogoURL: sp("https://cdn.acme.example/logo.png")})
			resp, body := view(path, "en")
			if !strings.Contains(body, `alt="Acme Outdoor"`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "https://cdn.acme.example") {
				t.Error("new branding did not show at the next view")
			}
			view(path, "en")

			// The order's page, then another shipment of the order.
			if _, body := view(path+"/order", "en"); !strings.Contains(body, "#7") {
				t.Error("the order's page lacks the order number")
			}
			sibling := goldenStates[2].tr
			sibling.OrderID = "O-7"
			sibling = s.insert(sibling)
			if _, body := view(path+"/order", "en"); !strings.Contains(body, sibling.TrackingNumber) {
				t.Error("a new shipment of the order did not show on the order's page")
			}
			if _, body := view(path, "en"); strings.Contains(body, sibling.TrackingNumber) {
				t.Error("the tracking's own page shows another shipment")
			}
		})
	}
}
